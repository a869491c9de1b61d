namespace Atlas.Method.GradientFree;

/// <summary>
/// Standard normal draws reproducible from a seed on any machine: SplitMix64 (Steele, Lea &amp; Flood 2014) for
/// 53-bit uniforms in (0, 1], turned into pairs of normals by Box–Muller (the second of each pair is cached).
/// </summary>
internal sealed class GaussianStream
{
    private ulong _state;
    private double _spare;
    private bool _hasSpare;

    internal GaussianStream(long seed) => _state = unchecked((ulong)seed);

    internal double Next()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }
        double radius = Math.Sqrt(-2 * Math.Log(NextUniform()));
        double angle = 2 * Math.PI * NextUniform();
        _spare = radius * Math.Sin(angle);
        _hasSpare = true;
        return radius * Math.Cos(angle);
    }

    // (k + 1)·2^-53 for the top 53 bits k: never 0, so the logarithm above is finite.
    private double NextUniform() => ((NextBits() >> 11) + 1) * (1.0 / (1UL << 53));

    private ulong NextBits()
    {
        unchecked
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}

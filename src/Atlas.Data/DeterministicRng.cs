namespace Atlas.Data;

/// <summary>
/// xoshiro256** generator seeded through SplitMix64. Splits, subsets and batch orders use it instead of
/// <see cref="System.Random"/> or torch so that they depend only on this file, never on a runtime or library version.
/// </summary>
public sealed class DeterministicRng
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a generator whose whole output sequence is fixed by <paramref name="seed"/>.</summary>
    public DeterministicRng(ulong seed)
    {
        // SplitMix64 spreads any seed (0 included) over the 256-bit state, as the xoshiro authors recommend.
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>
    /// Combines a seed with a stream number (an epoch, a class id) into a new, well-mixed seed, so that related
    /// streams are independent yet reproducible.
    /// </summary>
    public static ulong DeriveSeed(ulong seed, ulong stream)
    {
        ulong x = seed ^ (stream * 0xD1B54A32D192ED03UL);
        return SplitMix64(ref x);
    }

    /// <summary>Next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform integer in [0, <paramref name="exclusiveMax"/>), without modulo bias.</summary>
    public int NextInt(int exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exclusiveMax);
        // Rejection sampling on the top bits: the accepted range is an exact multiple of exclusiveMax.
        ulong bound = (ulong)exclusiveMax;
        ulong limit = ulong.MaxValue - (ulong.MaxValue % bound);
        ulong draw;
        do
        {
            draw = NextUInt64();
        }
        while (draw >= limit);
        return (int)(draw % bound);
    }

    /// <summary>In-place Fisher–Yates shuffle.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A uniformly random permutation of 0..<paramref name="count"/>-1.</summary>
    public int[] Permutation(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int[] order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }
        Shuffle<int>(order);
        return order;
    }

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong value, int bits) => (value << bits) | (value >> (64 - bits));
}

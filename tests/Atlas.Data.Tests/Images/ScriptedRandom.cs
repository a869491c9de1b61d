using Atlas.Data.Images;

namespace Atlas.Data.Tests.Images;

/// <summary>An <see cref="IAugmentationRandom"/> that replays given draws, and fails if asked for more.</summary>
internal sealed class ScriptedRandom(double[]? units = null, int[]? integers = null) : IAugmentationRandom
{
    private readonly Queue<double> _units = new(units ?? []);
    private readonly Queue<int> _integers = new(integers ?? []);

    public List<int> IntegerBounds { get; } = [];

    public double NextUnit() => _units.Count > 0 ? _units.Dequeue() : throw new InvalidOperationException("no scripted uniform draw left");

    public int NextInt(int exclusiveMax)
    {
        IntegerBounds.Add(exclusiveMax);
        int value = _integers.Count > 0 ? _integers.Dequeue() : throw new InvalidOperationException("no scripted integer draw left");
        Assert.InRange(value, 0, exclusiveMax - 1);
        return value;
    }

    public bool Exhausted => _units.Count == 0 && _integers.Count == 0;
}

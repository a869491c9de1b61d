namespace Atlas.Data.Images;

/// <summary>
/// The <see cref="IAugmentationRandom"/> of one sample in one epoch: a <see cref="DeterministicRng"/> seeded from
/// (run seed, epoch, sample index), so a sample's augmentation is the same whatever the worker count, thread
/// scheduling or batch order, and differs between epochs.
/// </summary>
public sealed class SampleRandom : IAugmentationRandom
{
    private readonly DeterministicRng _rng;

    private SampleRandom(DeterministicRng rng) => _rng = rng;

    /// <summary>The draws for sample <paramref name="sampleIndex"/> (its index in the dataset) in <paramref name="epoch"/>.</summary>
    public static SampleRandom For(ulong seed, int epoch, int sampleIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(sampleIndex);
        ulong epochSeed = DeterministicRng.DeriveSeed(seed, (ulong)epoch);
        return new SampleRandom(new DeterministicRng(DeterministicRng.DeriveSeed(epochSeed, (ulong)sampleIndex)));
    }

    /// <inheritdoc/>
    // The top 53 bits, scaled: every double of the form k·2^-53 in [0, 1) equally likely.
    public double NextUnit() => (_rng.NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <inheritdoc/>
    public int NextInt(int exclusiveMax) => _rng.NextInt(exclusiveMax);
}

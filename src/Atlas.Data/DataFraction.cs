namespace Atlas.Data;

/// <summary>
/// Seeded random subsets of a partition for the data-fraction (PEFT) experiments (docs/method.md §M6: <c>randperm(N)[:int(N·f)]</c>,
/// no oversampling). The subset of fraction f is the first <see cref="SubsetSize"/> entries of one permutation of
/// 0..N−1 fixed by the seed, so for the same N and seed smaller fractions are subsets of larger ones
/// (1% ⊂ 5% ⊂ 10% ⊂ … ⊂ 100%): a curve over fractions adds data rather than redrawing it.
/// </summary>
public static class DataFraction
{
    // Separates this stream from other users of the same seed (split planning, batch orders): "FRACTION" in ASCII.
    private const ulong StreamTag = 0x4652414354494F4EUL;

    /// <summary>
    /// ⌊N·f⌋ and at least 1, for N = <paramref name="count"/> and f = <paramref name="fraction"/> in (0, 1]. The product is
    /// taken in double precision as in the reference's <c>int(N * f)</c>, so e.g. N = 100, f = 0.29 gives 28.
    /// </summary>
    public static int SubsetSize(int count, double fraction)
    {
        if (count <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Cannot take a fraction of an empty partition (count {count}).");
        }
        if (!(fraction > 0 && fraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), $"Data fraction must be in (0, 1], got {fraction}.");
        }
        return Math.Max(1, (int)Math.Floor(count * fraction));
    }

    /// <summary>The permutation of 0..<paramref name="count"/>−1 whose prefixes are the subsets for <paramref name="seed"/>.</summary>
    public static int[] Permutation(int count, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new DeterministicRng(DeterministicRng.DeriveSeed(seed, StreamTag)).Permutation(count);
    }

    /// <summary>
    /// The positions (into a partition of <paramref name="count"/> images) of the <paramref name="fraction"/> subset for
    /// <paramref name="seed"/>: the first <see cref="SubsetSize"/> entries of <see cref="Permutation"/>, returned ascending.
    /// Order carries no randomness (batch orders shuffle anyway), so f = 1 returns the identity 0..N−1.
    /// </summary>
    public static int[] Select(int count, double fraction, ulong seed)
    {
        int size = SubsetSize(count, fraction);
        int[] subset = Permutation(count, seed)[..size];
        Array.Sort(subset);
        return subset;
    }
}

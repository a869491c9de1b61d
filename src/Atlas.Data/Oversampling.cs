namespace Atlas.Data;

/// <summary>
/// The reference's few-shot oversampling (docs/method.md §M4.3): a k-shot list too short for a meaningful epoch is repeated so
/// that an epoch holds at least about <see cref="PaperMinBatches"/> batches. With N positions and r = N / batch, when
/// r &lt; minBatches the list is repeated ⌊minBatches / r⌋ + 1 times (Python: <c>int(10 / r) + 1</c>), otherwise it is
/// left as it is.
/// </summary>
public static class Oversampling
{
    /// <summary>Batches per epoch below which the reference repeats the list (10).</summary>
    public const int PaperMinBatches = 10;

    /// <summary>
    /// How many copies of a list of <paramref name="count"/> positions make up an epoch: ⌊minBatches / r⌋ + 1 with
    /// r = count / batchSize when r &lt; minBatches, else 1. Evaluated in integers as ⌊minBatches·batchSize / count⌋ + 1,
    /// which is the exact value of the float formula (the reference's r = N/128 is exact in binary, so it agrees there).
    /// </summary>
    public static int Copies(int count, int batchSize, int minBatches = PaperMinBatches)
    {
        if (count <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Cannot oversample an empty position list (count {count}).");
        }
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minBatches);
        // r < minBatches  ⇔  count < minBatches·batchSize; long products cannot overflow for int operands.
        long threshold = (long)minBatches * batchSize;
        return count < threshold ? checked((int)(threshold / count) + 1) : 1;
    }

    /// <summary>
    /// <paramref name="positions"/> concatenated <see cref="Copies"/> times, in the given order each time (Python's
    /// <c>list * copies</c>); the list itself when no oversampling applies.
    /// </summary>
    public static int[] Repeat(IReadOnlyList<int> positions, int batchSize, int minBatches = PaperMinBatches)
    {
        ArgumentNullException.ThrowIfNull(positions);
        int copies = Copies(positions.Count, batchSize, minBatches);
        int[] repeated = new int[checked(positions.Count * copies)];
        for (int copy = 0; copy < copies; copy++)
        {
            for (int i = 0; i < positions.Count; i++)
            {
                repeated[(copy * positions.Count) + i] = positions[i];
            }
        }
        return repeated;
    }
}

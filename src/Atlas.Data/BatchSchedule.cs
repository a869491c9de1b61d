namespace Atlas.Data;

/// <summary>
/// Deterministic, resumable mini-batch order over <see cref="ItemCount"/> items for step-based training. The items are
/// visited as an endless stream of passes, each pass a fresh permutation drawn from (seed, pass number); step s takes
/// stream positions [s·B, (s+1)·B). Every batch is full, and any step's batch is computed directly, so a resumed run
/// sees exactly the batches an uninterrupted one would. A batch that straddles two passes may repeat an item.
/// </summary>
public sealed class BatchSchedule
{
    /// <summary>Schedules batches of <paramref name="batchSize"/> over <paramref name="itemCount"/> items.</summary>
    public BatchSchedule(int itemCount, int batchSize, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(itemCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ItemCount = itemCount;
        BatchSize = batchSize;
        Seed = seed;
    }

    /// <summary>Number of items (the positions 0..ItemCount-1 that batches hold).</summary>
    public int ItemCount { get; }

    /// <summary>Items per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Seed of the pass permutations.</summary>
    public ulong Seed { get; }

    /// <summary>The order in which pass <paramref name="epoch"/> visits the items.</summary>
    public int[] EpochPermutation(long epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return new DeterministicRng(DeterministicRng.DeriveSeed(Seed, (ulong)epoch)).Permutation(ItemCount);
    }

    /// <summary>
    /// Item positions of a batch drawn afresh at <paramref name="step"/>: the first <see cref="BatchSize"/> items of a
    /// permutation drawn for that step alone (the pass numbered <paramref name="step"/>), so the items are distinct and
    /// every step's draw is independent of the others. This is a loader re-shuffled at every step and read only for its
    /// first batch(es), as AdaMerging's (<see cref="BatchSampling.FreshShuffle"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The batch is larger than the item count.</exception>
    public int[] FreshDrawAt(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (BatchSize > ItemCount)
            throw new InvalidOperationException($"a fresh draw of {BatchSize} distinct items needs at least that many; there are {ItemCount}");
        return EpochPermutation(step)[..BatchSize];
    }

    /// <summary>The batch at <paramref name="step"/> under <paramref name="sampling"/>.</summary>
    public int[] At(long step, BatchSampling sampling) => sampling switch
    {
        BatchSampling.Passes => BatchAt(step),
        BatchSampling.FreshShuffle => FreshDrawAt(step),
        _ => throw new ArgumentOutOfRangeException(nameof(sampling), sampling, "unknown batch sampling"),
    };

    /// <summary>Item positions of the batch at <paramref name="step"/> (0-based).</summary>
    public int[] BatchAt(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        long start = checked(step * BatchSize);
        int[] batch = new int[BatchSize];
        long epoch = -1;
        int[] permutation = [];
        for (int k = 0; k < BatchSize; k++)
        {
            long position = start + k;
            if (position / ItemCount != epoch)
            {
                epoch = position / ItemCount;
                permutation = EpochPermutation(epoch);
            }
            batch[k] = permutation[position % ItemCount];
        }
        return batch;
    }
}

/// <summary>How a step's batch is drawn from a <see cref="BatchSchedule"/>.</summary>
public enum BatchSampling
{
    /// <summary>Consecutive batches of an endless stream of passes: every item once per pass (<see cref="BatchSchedule.BatchAt"/>).</summary>
    Passes,

    /// <summary>A fresh shuffle at every step, of which only the first batch is read (<see cref="BatchSchedule.FreshDrawAt"/>).</summary>
    FreshShuffle,
}

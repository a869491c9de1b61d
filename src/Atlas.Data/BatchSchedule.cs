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

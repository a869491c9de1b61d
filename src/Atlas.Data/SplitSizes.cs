namespace Atlas.Data;

/// <summary>Requested image counts of each partition of a source split; <see cref="Pretrain"/> may be 0.</summary>
/// <param name="Pretrain">Images for pre-training the base encoder.</param>
/// <param name="Train">Images for fine-tuning (task vectors) and aTLAS coefficient learning.</param>
/// <param name="Val">Images for model selection.</param>
/// <param name="Test">Images for the reported accuracies.</param>
public sealed record SplitSizes(int Pretrain, int Train, int Val, int Test)
{
    /// <summary>Sum of all partitions.</summary>
    public long Total => (long)Pretrain + Train + Val + Test;

    /// <summary>The size of <paramref name="partition"/>, one of <see cref="SourceSplit.PartitionNames"/>.</summary>
    public int Of(string partition) => partition switch
    {
        SourceSplit.Pretrain => Pretrain,
        SourceSplit.Train => Train,
        SourceSplit.Val => Val,
        SourceSplit.Test => Test,
        _ => throw new ArgumentException(
            $"Unknown partition '{partition}'; partitions: {string.Join(", ", SourceSplit.PartitionNames)}.", nameof(partition)),
    };
}

namespace Atlas.Pipeline.Specs;

/// <summary>
/// Reads what the data a spec names can supply while the spec is validated, so a size the data cannot meet (a split
/// larger than its source, more shots than a class has training images, a test split too small for a batch) is
/// reported at its field before any stage runs. Supplied by the caller (through <see cref="SpecContext.Data"/>), which
/// knows the data formats; the data root is passed as the spec resolves it.
/// </summary>
public interface ISpecDataCheck
{
    /// <summary>How many images of each source label each partition of the split of mini source
    /// <paramref name="source"/> under <paramref name="dataRoot"/> into <paramref name="sizes"/> takes; null with
    /// <paramref name="problem"/> saying why when it cannot (no manifest, no entry for the source, more images asked for
    /// than it holds).</summary>
    SourcePartitionCounts? SourcePartitions(string dataRoot, string source, SplitSizes sizes, out string? problem);

    /// <summary>What is wrong with the folder of paper dataset <paramref name="dataset"/> (its spec spelling) under
    /// <paramref name="dataRoot"/>: the path that failed and the layout its reader expects; null when it is in place.</summary>
    string? PaperDatasetProblem(string dataRoot, string dataset);
}

/// <summary>Images per source label (indexed by label) in each partition of a mini source's split.</summary>
public sealed record SourcePartitionCounts(int[] Pretrain, int[] Train, int[] Val, int[] Test);

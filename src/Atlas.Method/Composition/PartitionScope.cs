namespace Atlas.Method.Composition;

/// <summary>Which blocks share a random element partition in aTLAS × K (docs/method.md §M3.2, §M7 trap 9).</summary>
public enum PartitionScope
{
    /// <summary>Every block draws its own assignment (the fixed behaviour).</summary>
    PerTensor,

    /// <summary>Blocks of equal shape share one assignment (the released code keys its masks by tensor shape).</summary>
    PerShape,
}

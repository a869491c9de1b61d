namespace Atlas.Method.Composition;

/// <summary>Which blocks aTLAS × K adapts (docs/method.md §M3.2, §M7 trap 9).</summary>
public enum PartitionBlocks
{
    /// <summary>Every block is partitioned and adapted (the fixed behaviour).</summary>
    All,

    /// <summary>Only 2-D blocks are adapted; every other block (biases, LayerNorm, class embedding, the 4-D patch
    /// convolution, scalars) stays at θ0 whatever Λ holds — the released code returns Δ = 0 for them.</summary>
    MatricesOnly,
}

using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Method.Composition;

/// <summary>
/// One block's elements grouped by partition (aTLAS × K): a zero-padded [K, <see cref="Width"/>] grid whose row k holds,
/// in element order, the elements assigned to partition k. Composing through the grid lets Λ[t, k] scale a whole row,
/// so the product and its gradient are a broadcast and a row sum, where a per-element gather of Λ needs a scatter-add
/// of T × N gradients back into T × K coefficients (measured on the mini tower, T = 7: composition forward + backward
/// 16.5 ms gathered, 5.9 ms (K = 10) and 9.2 ms (K = 160) through the grid, 2.9 ms blockwise).
/// </summary>
public sealed class PartitionGrid : IDisposable
{
    /// <param name="assignment">The partition of every element of the block (integers in [0, <paramref name="partitions"/>)).</param>
    /// <param name="partitions">K.</param>
    internal PartitionGrid(Tensor assignment, int partitions)
    {
        using var scope = NewDisposeScope();
        var partitionOf = assignment.flatten().to_type(ScalarType.Int64);
        long elements = partitionOf.numel();
        // A stable sort keeps element order within each partition, so the grid is a pure function of the assignment.
        var (sortedPartitions, elementOrder) = partitionOf.sort(stable: true);
        var counts = partitionOf.bincount(null, partitions);
        Width = Math.Max(1, counts.max().item<long>());
        var firstOfPartition = counts.cumsum(0) - counts;
        using Scalar width = Width.ToScalar(), elementCount = elements.ToScalar();
        var rankInPartition = arange(elementCount, ScalarType.Int64, assignment.device) - firstOfPartition.index_select(0, sortedPartitions);
        var sortedCells = sortedPartitions.mul(width) + rankInPartition;
        Slots = zeros(elements, ScalarType.Int64, assignment.device).index_put_(sortedCells, elementOrder).DetachFromDisposeScope();
        Cells = zeros(partitions * Width, ScalarType.Int64, assignment.device).index_put_(elementOrder, sortedCells).DetachFromDisposeScope();
    }

    /// <summary>Columns of the grid: the size of the largest partition.</summary>
    public long Width { get; }

    /// <summary>[K·Width] int64: the flat element index at every grid cell, row by row. Padding cells point at element
    /// 0; nothing reads them back, so they never reach a weight or a gradient.</summary>
    public Tensor Cells { get; }

    /// <summary>[N] int64: the grid cell of every element, m(e)·Width + its rank within partition m(e).</summary>
    public Tensor Slots { get; }

    public void Dispose()
    {
        Cells.Dispose();
        Slots.Dispose();
    }
}

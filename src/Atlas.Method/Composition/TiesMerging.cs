using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Method.Composition;

/// <summary>
/// TIES-Merging (Yadav et al., NeurIPS 2023) as a baseline: (1) trim — per task vector keep the top-k fraction of
/// entries by magnitude over the whole vector (all blocks together), zero the rest; the fraction may be counted over a
/// larger scope that also holds entries outside the pool whose task-vector value is always 0 (the reference flattens
/// the whole checkpoint, text entries included, so its k is a fraction of that); (2) elect — per entry the sign of
/// the sum of the trimmed values; (3) disjoint mean — per entry the mean over the tasks whose trimmed value is
/// nonzero and agrees with the elected sign. The merged vector τ_m gives θ = θ0 + λ·τ_m, with λ chosen on validation
/// by the caller (<see cref="MergeToPool"/> then <see cref="TaskArithmetic.Apply"/>). Inputs are never modified.
/// </summary>
/// <remarks>
/// Differences from the reference code, both documented choices: the kept count is k = round(fraction · D) with every
/// entry at least as large as the k-th largest magnitude kept (the reference thresholds at the (D − k)-th smallest and
/// so keeps k + 1); entries whose trimmed sum is exactly 0 get the majority sign (sign of the sum of all elected
/// signs), as the reference's <c>resolve_zero_signs(…, "majority")</c>.
/// </remarks>
public static class TiesMerging
{
    /// <summary>The TIES paper's default top-k (20%).</summary>
    public const double DefaultKeepFraction = 0.2;

    /// <summary>The pool as one row per task vector, [T, D], blocks flattened and concatenated in canonical order.</summary>
    public static Tensor Flatten(TaskVectorPool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        using var scope = NewDisposeScope();
        var rows = Enumerable.Range(0, pool.BlockCount).Select(j => pool.Stack(j).reshape(pool.TaskCount, -1)).ToArray();
        return cat(rows, 1).detach().MoveToOuterDisposeScope();
    }

    /// <summary>Entries kept per task vector: k = round(<paramref name="keepFraction"/> · (D + Z)) for D pool entries and
    /// Z always-zero entries outside the pool that the trim scope also counts.</summary>
    public static long KeepCount(long poolEntries, double keepFraction, long zeroEntriesOutside = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(poolEntries);
        ArgumentOutOfRangeException.ThrowIfNegative(zeroEntriesOutside);
        if (!(keepFraction >= 0 && keepFraction <= 1)) throw new ArgumentOutOfRangeException(nameof(keepFraction), "must lie in [0, 1]");
        return (long)Math.Round(keepFraction * (poolEntries + zeroEntriesOutside), MidpointRounding.AwayFromZero);
    }

    /// <summary>Trim step: per row of [T, D], keep the entries whose magnitude is at least the k-th largest, k =
    /// <see cref="KeepCount"/>(D, <paramref name="keepFraction"/>, <paramref name="zeroEntriesOutside"/>); zero the rest.
    /// Returns a new tensor.</summary>
    /// <param name="taskVectors">[T, D], one flattened task vector per row.</param>
    /// <param name="keepFraction">The top fraction kept, in [0, 1].</param>
    /// <param name="zeroEntriesOutside">Entries of the trim scope outside these D, each 0 in every task vector. They
    /// are the smallest magnitudes, so the k-th largest of the padded row is the k-th largest of the row itself while
    /// k ≤ D, and every entry is kept once k ≥ D.</param>
    public static Tensor Trim(Tensor taskVectors, double keepFraction, long zeroEntriesOutside = 0)
    {
        ArgumentNullException.ThrowIfNull(taskVectors);
        if (taskVectors.dim() != 2) throw new ArgumentException($"expected [T, D], got {Shapes.Format(taskVectors.shape)}", nameof(taskVectors));
        long length = taskVectors.shape[1];
        long keep = KeepCount(length, keepFraction, zeroEntriesOutside);
        using var scope = NewDisposeScope();
        Tensor trimmed;
        if (keep == 0) trimmed = zeros_like(taskVectors);
        else if (keep >= length) trimmed = taskVectors.detach().clone();
        else
        {
            var magnitude = taskVectors.detach().abs();
            var (threshold, _) = magnitude.kthvalue(length - keep + 1, 1, keepdim: true); // k-th largest per row
            using Scalar zero = 0.ToScalar();
            trimmed = taskVectors.detach().masked_fill(magnitude.lt(threshold), zero);
        }
        return trimmed.MoveToOuterDisposeScope();
    }

    /// <summary>Elect step: per entry the sign (±1) of the sum over tasks of trimmed [T, D]; zero sums take the
    /// majority sign (sign of the sum of all elected signs, 0 if that is 0 too). Returns [D].</summary>
    public static Tensor ElectSigns(Tensor trimmed)
    {
        ArgumentNullException.ThrowIfNull(trimmed);
        using var scope = NewDisposeScope();
        var signs = trimmed.sum(dim: 0).sign();
        var majority = signs.sum().sign();
        using Scalar zero = 0.ToScalar();
        return where(signs.eq(zero), majority, signs).MoveToOuterDisposeScope();
    }

    /// <summary>Disjoint mean: per entry the mean of the trimmed values that are nonzero and share the elected sign
    /// (positive values where the sign is positive, negative ones otherwise); 0 where there are none. Returns [D].</summary>
    public static Tensor DisjointMean(Tensor trimmed, Tensor signs)
    {
        ArgumentNullException.ThrowIfNull(trimmed);
        ArgumentNullException.ThrowIfNull(signs);
        using var scope = NewDisposeScope();
        using Scalar zero = 0.ToScalar(), one = 1.ToScalar();
        var agrees = where(signs.gt(zero), trimmed.gt(zero), trimmed.lt(zero));
        var selected = trimmed.masked_fill(agrees.logical_not(), zero);
        var counts = selected.ne(zero).sum(dim: 0).clamp_min(one).to(selected.dtype);
        return (selected.sum(dim: 0) / counts).MoveToOuterDisposeScope();
    }

    /// <summary>The merged task vector τ_m by block name (shapes of the pool's blocks).</summary>
    /// <param name="pool">The task vectors.</param>
    /// <param name="keepFraction">The top fraction kept.</param>
    /// <param name="zeroEntriesOutside">Always-zero entries the trim scope counts besides the pool's (see
    /// <see cref="Trim"/>); 0 trims over the pool's blocks only.</param>
    public static Dictionary<string, Tensor> Merge(TaskVectorPool pool, double keepFraction = DefaultKeepFraction, long zeroEntriesOutside = 0)
    {
        ArgumentNullException.ThrowIfNull(pool);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var trimmed = Trim(Flatten(pool), keepFraction, zeroEntriesOutside);
        var merged = DisjointMean(trimmed, ElectSigns(trimmed));
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        long offset = 0;
        for (int j = 0; j < pool.BlockCount; j++)
        {
            long size = pool.BlockShapes[j].Aggregate(1L, (a, b) => a * b);
            result[pool.BlockNames[j]] = merged.narrow(0, offset, size).reshape(pool.BlockShapes[j]).clone();
            offset += size;
        }
        return Shapes.MoveToOuter(result);
    }

    /// <summary>A one-task pool holding τ_m, so that θ0 + λ·τ_m is <see cref="TaskArithmetic.Apply"/>(θ0, pool, λ).</summary>
    public static TaskVectorPool MergeToPool(
        IReadOnlyDictionary<string, Tensor> pretrained, TaskVectorPool pool, double keepFraction = DefaultKeepFraction,
        long zeroEntriesOutside = 0, string name = "ties")
    {
        using var scope = NewDisposeScope();
        var merged = Merge(pool, keepFraction, zeroEntriesOutside);
        return new TaskVectorPool(pretrained, pool.BlockNames, [(name, merged)], pool.Stack(0).device);
    }
}

using static TorchSharp.torch;

namespace Atlas.Method.Composition;

/// <summary>
/// Composed weights θ_j = θ0_j + Σ_t Λ[t, group(j) (, m_j(e))] · τ_{t,j} for every block j of a pool (docs/method.md §M3.2). θ0 and
/// τ are frozen, so the result is differentiable with respect to Λ only, with ∂L/∂Λ[t,j] = ⟨∂L/∂θ_j, τ_{t,j}⟩.
/// Everything is float32 (docs/method.md §M7 trap 3: Δ in fp32 rather than the released fp16).
/// </summary>
public static class WeightComposer
{
    /// <summary>Composes the weights for one forward pass.</summary>
    /// <param name="pretrained">θ0 by parameter name (float32); must hold every block of the pool with its shape.</param>
    /// <param name="pool">The task vectors.</param>
    /// <param name="layout">The block → coefficient map; its blocks must be the pool's, in the same order.</param>
    /// <param name="coefficients">Λ, float32, of shape <see cref="CoefficientLayout.CoefficientShape"/>(T).</param>
    /// <returns>A new dictionary in θ0's key order. Every entry is a new tensor handle the caller owns: the composed
    /// blocks, and for every other entry of θ0 (including blocks the layout leaves unadapted) an alias of θ0's storage —
    /// disposing them never frees θ0. Pool blocks carry no gradient to θ0.</returns>
    public static Dictionary<string, Tensor> Compose(
        IReadOnlyDictionary<string, Tensor> pretrained, TaskVectorPool pool, CoefficientLayout layout, Tensor coefficients)
    {
        ArgumentNullException.ThrowIfNull(pretrained);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(coefficients);
        Validate(pretrained, pool, layout, coefficients);

        using var scope = NewDisposeScope();
        var composed = new Dictionary<string, Tensor>(pretrained.Count, StringComparer.Ordinal);
        foreach (var (name, baseWeight) in pretrained)
        {
            if (!pool.TryGetBlockIndex(name, out int j))
            {
                composed[name] = baseWeight.alias();
                continue;
            }
            var frozen = baseWeight.detach();
            composed[name] = layout.IsAdapted(j) ? frozen + Delta(pool, layout, coefficients, j) : frozen;
        }
        return Shapes.MoveToOuter(composed);
    }

    /// <summary>Δ_j = Σ_t w_t ⊙ τ_{t,j} with w_t the coefficient of each element; the caller owns the scope.</summary>
    private static Tensor Delta(TaskVectorPool pool, CoefficientLayout layout, Tensor coefficients, int block)
    {
        var stacked = pool.Stack(block); // [T, ...shape]
        var column = coefficients.select(1, layout.GroupOf(block)); // [T] or [T, K]
        if (layout.Grid(block) is not { } grid)
        {
            // [T, 1, …, 1]: one coefficient per task broadcast over the block.
            var weights = column.view([pool.TaskCount, .. Enumerable.Repeat(1L, (int)stacked.dim() - 1)]);
            return (weights * stacked).sum(dim: 0);
        }
        // τ regrouped into the partition grid [T, K, W], Λ[t, k] broadcast along row k, summed over tasks, and each
        // element read back from its cell. With K = 1 the grid is the block in element order and this is the product
        // and sum above, so ×1 equals blockwise bitwise.
        var grouped = stacked.view(pool.TaskCount, -1).index_select(1, grid.Cells).view(pool.TaskCount, layout.Partitions, grid.Width);
        var rows = (column.unsqueeze(-1) * grouped).sum(dim: 0);
        return rows.view(-1).index_select(0, grid.Slots).view(stacked.shape[1..]);
    }

    private static void Validate(
        IReadOnlyDictionary<string, Tensor> pretrained, TaskVectorPool pool, CoefficientLayout layout, Tensor coefficients)
    {
        if (!layout.BlockNames.SequenceEqual(pool.BlockNames, StringComparer.Ordinal))
        {
            int mismatch = Enumerable.Range(0, Math.Min(layout.BlockNames.Count, pool.BlockNames.Count))
                .FirstOrDefault(j => layout.BlockNames[j] != pool.BlockNames[j], Math.Min(layout.BlockNames.Count, pool.BlockNames.Count));
            throw new ArgumentException(
                $"the coefficient layout's blocks ({layout.BlockNames.Count}) differ from the pool's ({pool.BlockNames.Count}) at position {mismatch}");
        }
        var expected = layout.CoefficientShape(pool.TaskCount);
        if (!Shapes.Same(coefficients.shape, expected))
            throw new ArgumentException(
                $"{layout.Kind} coefficients must have shape {Shapes.Format(expected)}, got {Shapes.Format(coefficients.shape)}", nameof(coefficients));
        if (coefficients.dtype != ScalarType.Float32)
            throw new ArgumentException($"coefficients must be float32, got {coefficients.dtype}", nameof(coefficients));
        for (int j = 0; j < pool.BlockCount; j++)
        {
            string block = pool.BlockNames[j];
            if (!pretrained.TryGetValue(block, out var baseWeight))
                throw new KeyNotFoundException($"block '{block}' is missing from the pretrained weights");
            if (!Shapes.Same(baseWeight.shape, pool.BlockShapes[j]))
                throw new ArgumentException(
                    $"pretrained block '{block}' has shape {Shapes.Format(baseWeight.shape)}, but the pool's task vectors have {Shapes.Format(pool.BlockShapes[j])}");
            if (baseWeight.dtype != ScalarType.Float32)
                throw new ArgumentException($"pretrained block '{block}' must be float32, got {baseWeight.dtype}");
        }
    }
}

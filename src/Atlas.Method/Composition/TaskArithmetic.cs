using static TorchSharp.torch;

namespace Atlas.Method.Composition;

/// <summary>
/// The task-arithmetic baseline θ = θ0 + α · Σ_t τ_t (docs/method.md §M4.2; task negation uses θ0 − α·τ, i.e. a negative α,
/// §M4.1), run through the composition engine as an isotropic Λ filled with α. The caller picks α on validation data,
/// e.g. with <see cref="ScalingGrid.SelectBest"/> over <see cref="AlphaGrid"/>.
/// </summary>
public static class TaskArithmetic
{
    /// <summary>The paper's grid: linspace(0, 1, 21) = 0, 0.05, …, 1.</summary>
    public static IReadOnlyList<double> AlphaGrid { get; } = ScalingGrid.Linspace(0, 1, 21);

    /// <summary>θ0 + α·Σ_t τ_t over the pool's blocks, other θ0 entries aliased (see
    /// <see cref="WeightComposer.Compose"/>); computed without gradients.</summary>
    public static Dictionary<string, Tensor> Apply(IReadOnlyDictionary<string, Tensor> pretrained, TaskVectorPool pool, double alpha)
    {
        ArgumentNullException.ThrowIfNull(pool);
        using var layout = CoefficientLayout.Isotropic(pool.BlockNames);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var coefficients = layout.Create(pool.TaskCount, alpha, requiresGrad: false, device: pool.Stack(0).device);
        return Shapes.MoveToOuter(WeightComposer.Compose(pretrained, pool, layout, coefficients));
    }
}

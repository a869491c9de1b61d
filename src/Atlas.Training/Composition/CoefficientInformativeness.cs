using static TorchSharp.torch;

namespace Atlas.Training.Composition;

/// <summary>
/// How much each task vector's block could lower the loss (docs/method.md §M3.4): I = |Σ_s ∂L_s/∂Λ| at Λ = 0, accumulated over a
/// pass of training batches with one backward per batch and no update. At Λ = 0 the gradient of block j's coefficient
/// for task t is ⟨∇_θj L(θ0), τ_t,j⟩, so I ranks the task vectors per block by their first-order effect.
/// </summary>
public static class CoefficientInformativeness
{
    /// <param name="model">A composed model over the full pool with a blockwise layout (Λ [T, P]).</param>
    /// <param name="steps">Batches in the pass.</param>
    /// <param name="lossAt">The loss of batch s for composed weights (as in training).</param>
    /// <returns>I [T, P] as a table of doubles.</returns>
    public static double[,] AtZero(ComposedModel model, int steps, Func<IReadOnlyDictionary<string, Tensor>, long, Tensor> lossAt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        if (model.Layout.IsPartitioned || model.Layout.GroupCount != model.Pool.BlockCount)
            throw new ArgumentException($"block selection needs one coefficient per block, not a {model.Layout.Kind} layout", nameof(model));
        using var coefficients = model.Layout.Create(model.Pool.TaskCount, requiresGrad: true, device: model.Pool.Stack(0).device);
        for (long step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            lossAt(model.Weights(coefficients), step).backward();
        }
        using var magnitude = coefficients.grad!.abs().to(ScalarType.Float64).cpu();
        var values = magnitude.data<double>().ToArray();
        int tasks = model.Pool.TaskCount, blocks = model.Pool.BlockCount;
        var table = new double[tasks, blocks];
        for (int t = 0; t < tasks; t++)
            for (int j = 0; j < blocks; j++) table[t, j] = values[t * blocks + j];
        return table;
    }
}

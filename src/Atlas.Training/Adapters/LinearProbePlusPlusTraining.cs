using TorchSharp;
using static Atlas.Method.Adapters.LinearProbePlusPlus;
using static TorchSharp.torch;

namespace Atlas.Training.Adapters;

/// <summary>
/// LP++'s own optimiser (Huang et al., CVPR 2024; the authors' <c>LinearProbe_P2.forward</c>, docs/method.md §M4.4):
/// full-batch cross-entropy on the cached features for a fixed number of epochs, one step per epoch;
/// <list type="bullet">
/// <item>W and b: SGD with momentum <see cref="Momentum"/> (PyTorch's form: the buffer starts at the first gradient, then
/// buf ← μ·buf + g, p ← p − lr_w·buf; no dampening, no Nesterov, no weight decay), constant lr_w, no schedule, no
/// gradient clipping;</item>
/// <item>α: a plain gradient step α ← α − lr_α·G after every <see cref="AlphaPeriod"/>-th epoch, where G is α's
/// gradient summed over every epoch so far: the released code never zeroes α's gradient (its optimizer holds only W
/// and b), so each α step uses the accumulated sum, which this reproduces.</item>
/// </list>
/// The released code also keeps the test accuracy of the epoch with the best k-shot validation accuracy; this returns
/// the last epoch, as the aTLAS wrapper does (no label beyond the k shots).
/// </summary>
public static class LinearProbePlusPlusTraining
{
    /// <summary>SGD momentum of W and b (the released code: 0.9).</summary>
    public const double Momentum = 0.9;

    /// <summary>α is updated after every epoch whose 1-based number is a multiple of this (the released code: 10).</summary>
    public const int AlphaPeriod = 10;

    /// <param name="initial">W, b and α as <see cref="Method.Adapters.LinearProbePlusPlus.Initialize"/> returns them (not modified).</param>
    /// <param name="logits">Logits of the cached features under the given tensors.</param>
    /// <param name="labels">Labels of the cached features.</param>
    /// <param name="weightLr">lr_w (<see cref="Method.Adapters.LinearProbePlusPlus.WeightLearningRate"/>).</param>
    /// <param name="alphaLr">lr_α (<see cref="Method.Adapters.LinearProbePlusPlus.AlphaLearningRate"/>).</param>
    /// <param name="epochs">Full-batch epochs (the paper: 300).</param>
    /// <returns>The trained tensors (detached).</returns>
    public static Dictionary<string, Tensor> Fit(
        IReadOnlyDictionary<string, Tensor> initial, Func<IReadOnlyDictionary<string, Tensor>, Tensor> logits, Tensor labels,
        double weightLr, double alphaLr, int epochs)
    {
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epochs);
        if (!(weightLr > 0) || !double.IsFinite(weightLr)) throw new ArgumentOutOfRangeException(nameof(weightLr), weightLr, "lr_w must be positive and finite");
        if (!(alphaLr > 0) || !double.IsFinite(alphaLr)) throw new ArgumentOutOfRangeException(nameof(alphaLr), alphaLr, "lr_α must be positive and finite");
        string[] names = [Weight, Bias, Alpha];
        foreach (var name in names)
            if (!initial.ContainsKey(name)) throw new ArgumentException($"LP++ training needs '{name}'", nameof(initial));

        var parameters = names.ToDictionary(n => n, n => initial[n].detach().clone().requires_grad_(true).DetachFromDisposeScope(), StringComparer.Ordinal);
        Tensor[] linear = [parameters[Weight], parameters[Bias]];
        var alpha = parameters[Alpha];
        var velocity = new Tensor?[linear.Length];
        using Scalar momentum = Momentum.ToScalar(), one = 1.0.ToScalar();
        using Scalar weightStep = (-weightLr).ToScalar(), alphaStep = (-alphaLr).ToScalar();
        try
        {
            for (int epoch = 1; epoch <= epochs; epoch++)
            {
                using var scope = NewDisposeScope();
                var loss = nn.functional.cross_entropy(logits(parameters), labels);
                double lossValue = loss.to_type(ScalarType.Float64).item<double>();
                if (!double.IsFinite(lossValue))
                    throw new InvalidOperationException($"the LP++ loss became {lossValue} at epoch {epoch}");
                loss.backward();
                using (no_grad())
                {
                    for (int i = 0; i < linear.Length; i++)
                    {
                        var grad = linear[i].grad ?? throw new InvalidOperationException("an LP++ linear parameter got no gradient");
                        if (velocity[i] is null) velocity[i] = grad.clone().DetachFromDisposeScope();
                        else velocity[i]!.mul_(momentum).add_(grad, one);
                        linear[i].add_(velocity[i]!, weightStep);
                        grad.zero_();
                    }
                    // α's gradient keeps accumulating across epochs (never zeroed), as in the released code.
                    if (epoch % AlphaPeriod == 0)
                        alpha.add_(alpha.grad ?? throw new InvalidOperationException("LP++'s α got no gradient"), alphaStep);
                }
            }
            return parameters.ToDictionary(p => p.Key, p => p.Value.detach().clone(), StringComparer.Ordinal);
        }
        finally
        {
            foreach (var v in velocity) v?.Dispose();
            foreach (var p in parameters.Values) p.Dispose();
        }
    }
}

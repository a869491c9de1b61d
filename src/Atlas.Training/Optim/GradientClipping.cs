using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Training.Optim;

/// <summary>Scales all gradients together so their global L2 norm is at most a bound (PyTorch's clip_grad_norm_).</summary>
public static class GradientClipping
{
    /// <returns>The global norm before clipping.</returns>
    public static double ClipGlobalNorm(IEnumerable<Tensor> parameters, double maxNorm)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var grads = parameters.Select(p => p.grad).OfType<Tensor>().ToList();
        if (grads.Count == 0) return 0;
        double norm = stack(grads.Select(g => g.norm().to_type(ScalarType.Float64)).ToArray()).norm().item<double>();
        double factor = maxNorm / (norm + 1e-6);
        if (factor < 1)
        {
            using Scalar factorScalar = factor.ToScalar();
            foreach (var grad in grads) grad.mul_(factorScalar);
        }
        return norm;
    }
}

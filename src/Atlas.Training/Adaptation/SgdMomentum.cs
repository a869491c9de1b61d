using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Training.Adaptation;

/// <summary>
/// PyTorch's SGD with heavy-ball momentum (dampening 0, no Nesterov, no weight decay): the first step of a tensor sets
/// its buffer to the gradient, later steps b ← μ·b + g; then θ ← θ − lr·b. The buffers live in a dictionary so that
/// <see cref="Reset"/> returns the optimizer exactly to its initial, empty state.
/// </summary>
internal sealed class SgdMomentum(IReadOnlyDictionary<string, Tensor> parameters, double momentum) : IDisposable
{
    private readonly Dictionary<string, Tensor> _buffers = new();

    /// <summary>The momentum buffers by tensor name (absent until the tensor's first step).</summary>
    public IReadOnlyDictionary<string, Tensor> State => _buffers;

    /// <summary>One update with the current gradients; tensors without a gradient are skipped.</summary>
    public void Step(double lr)
    {
        using var noGrad = no_grad();
        using Scalar momentumScalar = momentum.ToScalar(), descent = (-lr).ToScalar();
        foreach (var (name, parameter) in parameters)
        {
            var grad = parameter.grad;
            if (grad is null) continue;
            if (_buffers.TryGetValue(name, out var buffer)) buffer.mul_(momentumScalar).add_(grad);
            else _buffers[name] = buffer = grad.detach().clone().DetachFromDisposeScope();
            parameter.add_(buffer, alpha: descent);
        }
    }

    /// <summary>Drops all momentum.</summary>
    public void Reset()
    {
        foreach (var buffer in _buffers.Values) buffer.Dispose();
        _buffers.Clear();
    }

    public void Dispose() => Reset();
}

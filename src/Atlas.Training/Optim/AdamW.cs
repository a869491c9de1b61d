using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Training.Optim;

/// <summary>
/// AdamW with decoupled weight decay (Loshchilov &amp; Hutter), PyTorch's defaults β = (0.9, 0.999), ε = 1e-8, and
/// PyTorch's per-parameter step counts (a parameter without a gradient is neither decayed nor counted). Written here
/// rather than taken from TorchSharp so that its complete state is a plain name→tensor dictionary: a checkpoint
/// restores it exactly and a resumed run is bit-identical to an uninterrupted one.
/// </summary>
public sealed class AdamW : IDisposable
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;
    // Held for the process: a Scalar must outlive the native call that reads it (see BannedSymbols.txt).
    private static readonly Scalar Beta1Scalar = Beta1.ToScalar(), Beta2Scalar = Beta2.ToScalar(), EpsilonScalar = Epsilon.ToScalar();
    private static readonly Scalar OneMinusBeta1 = (1 - Beta1).ToScalar(), OneMinusBeta2 = (1 - Beta2).ToScalar();
    private const string FirstMoment = "exp_avg.", SecondMoment = "exp_avg_sq.", StepCount = "step.";
    private readonly IReadOnlyDictionary<string, Tensor> _parameters;
    private readonly Dictionary<string, Tensor> _firstMoments = new();
    private readonly Dictionary<string, Tensor> _secondMoments = new();
    private readonly Dictionary<string, long> _steps = new();

    /// <param name="parameters">Leaf tensors that require gradients, by name.</param>
    /// <param name="weightDecay">Decoupled decay: each step multiplies a parameter by (1 − lr·weightDecay).</param>
    public AdamW(IReadOnlyDictionary<string, Tensor> parameters, double weightDecay)
    {
        _parameters = parameters;
        WeightDecay = weightDecay;
        foreach (var (name, parameter) in parameters)
        {
            _firstMoments[name] = zeros_like(parameter).DetachFromDisposeScope();
            _secondMoments[name] = zeros_like(parameter).DetachFromDisposeScope();
            _steps[name] = 0;
        }
    }

    public double WeightDecay { get; }

    /// <summary>Applies one update with learning rate <paramref name="lr"/>; parameters without a gradient are skipped.</summary>
    public void Step(double lr)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using Scalar decay = (1 - lr * WeightDecay).ToScalar();
        foreach (var (name, parameter) in _parameters)
        {
            var grad = parameter.grad;
            if (grad is null) continue;
            long step = ++_steps[name];
            double correction1 = 1 - Math.Pow(Beta1, step), correction2 = 1 - Math.Pow(Beta2, step);
            using Scalar secondCorrection = correction2.ToScalar(), stepSize = (-lr / correction1).ToScalar();
            parameter.mul_(decay);
            var m = _firstMoments[name].mul_(Beta1Scalar).add_(grad, alpha: OneMinusBeta1);
            var v = _secondMoments[name].mul_(Beta2Scalar).addcmul_(grad, grad, value: OneMinusBeta2);
            var denominator = (v / secondCorrection).sqrt_().add_(EpsilonScalar);
            parameter.addcdiv_(m, denominator, value: stepSize);
        }
    }

    /// <summary>Clears the gradients of all parameters.</summary>
    public void ZeroGrad()
    {
        foreach (var parameter in _parameters.Values) parameter.grad?.zero_();
    }

    /// <summary>
    /// The optimizer state as named tensors (<c>exp_avg.NAME</c>, <c>exp_avg_sq.NAME</c>, <c>step.NAME</c>), for
    /// checkpoints. The moment tensors are the live ones: copy or write them before the next step.
    /// </summary>
    public Dictionary<string, Tensor> StateTensors()
    {
        var state = new Dictionary<string, Tensor>();
        foreach (var name in _parameters.Keys)
        {
            state[FirstMoment + name] = _firstMoments[name];
            state[SecondMoment + name] = _secondMoments[name];
            state[StepCount + name] = tensor(_steps[name]);
        }
        return state;
    }

    /// <summary>Restores the state written by <see cref="StateTensors"/>.</summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state)
    {
        using var noGrad = no_grad();
        foreach (var name in _parameters.Keys)
        {
            _firstMoments[name].copy_(state[FirstMoment + name]);
            _secondMoments[name].copy_(state[SecondMoment + name]);
            _steps[name] = state[StepCount + name].item<long>();
        }
    }

    public void Dispose()
    {
        foreach (var tensor in _firstMoments.Values.Concat(_secondMoments.Values)) tensor.Dispose();
    }
}

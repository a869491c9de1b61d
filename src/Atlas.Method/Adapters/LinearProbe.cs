using static TorchSharp.torch;

namespace Atlas.Method.Adapters;

/// <summary>
/// Linear probe: multinomial logistic regression on frozen, L2-normalised image features,
/// <code>logits = f̂·Wᵀ + b</code> with W [C, d] and b [C] trainable (train with cross-entropy on cached features).
/// </summary>
/// <remarks>
/// Not one of the aTLAS paper's few-shot baselines (the paper compares with Tip-Adapter and LP++): an extra, simple
/// reference point. Two starts, both deterministic, with b = 0: <c>fromZeroShot: false</c>, W = 0, the classic linear
/// probe (logistic regression from scratch, uniform initial predictions), which is what the few-shot stage runs by
/// default (spec <c>adapters.linear_probe_init: zeros</c>); <c>fromZeroShot: true</c>, W = the zero-shot head, so the
/// initial logits are exactly the zero-shot logits (the head also normalises features and has no bias) and training
/// refines zero-shot CLIP instead of starting from chance.
/// </remarks>
public static class LinearProbe
{
    /// <summary>Name of the trainable weight [C, d].</summary>
    public const string Weight = "weight";

    /// <summary>Name of the trainable bias [C].</summary>
    public const string Bias = "bias";

    /// <summary>The trainable tensors at initialisation.</summary>
    /// <param name="headWeight">The zero-shot head [C, d]; supplies the shape and, with <paramref name="fromZeroShot"/>,
    /// the initial weight.</param>
    /// <param name="fromZeroShot">True: W = head (a copy), so the probe starts at zero-shot; false: W = 0 (the few-shot
    /// spec's default, <c>linear_probe_init: zeros</c>).</param>
    /// <returns>Leaf float32 tensors with <c>requires_grad</c>, keyed <see cref="Weight"/> and <see cref="Bias"/>, on
    /// the head's device; the caller owns them.</returns>
    public static Dictionary<string, Tensor> Initialize(Tensor headWeight, bool fromZeroShot)
    {
        ArgumentNullException.ThrowIfNull(headWeight);
        if (headWeight.dim() != 2 || !headWeight.is_floating_point())
            throw new ArgumentException($"the head weight must be a floating [C, d] matrix, got {headWeight.dtype} {AdapterChecks.Format(headWeight)}", nameof(headWeight));
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var weight = fromZeroShot
            ? headWeight.detach().to(ScalarType.Float32).clone()
            : zeros(headWeight.shape, ScalarType.Float32, headWeight.device);
        var trained = new Dictionary<string, Tensor>(StringComparer.Ordinal)
        {
            [Weight] = weight.requires_grad_(true),
            [Bias] = zeros([headWeight.shape[0]], ScalarType.Float32, headWeight.device).requires_grad_(true),
        };
        foreach (var t in trained.Values) t.MoveToOuterDisposeScope();
        return trained;
    }

    /// <summary>Logits f̂·Wᵀ + b [B, C] for image features [B, d] (normalised here).</summary>
    public static Tensor Logits(IReadOnlyDictionary<string, Tensor> trained, Tensor features)
    {
        ArgumentNullException.ThrowIfNull(trained);
        var weight = AdapterChecks.Require(trained, Weight, "linear probe");
        var bias = AdapterChecks.Require(trained, Bias, "linear probe");
        AdapterChecks.Features(features, nameof(features));
        if (weight.dim() != 2 || weight.shape[1] != features.shape[1])
            throw new ArgumentException($"linear-probe weight {AdapterChecks.Format(weight)} does not fit features {AdapterChecks.Format(features)}");
        if (!bias.shape.SequenceEqual([weight.shape[0]]))
            throw new ArgumentException($"linear-probe bias must be [{weight.shape[0]}], got {AdapterChecks.Format(bias)}");
        using var scope = NewDisposeScope();
        return nn.functional.linear(nn.functional.normalize(features, p: 2, dim: -1), weight, bias).MoveToOuterDisposeScope();
    }
}

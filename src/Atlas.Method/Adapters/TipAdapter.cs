using static TorchSharp.torch;

namespace Atlas.Method.Adapters;

/// <summary>
/// Tip-Adapter-F over cached features (docs/method.md §M4.4, main-branch <c>TIPWrapper</c>): a key–value cache of the N cached
/// few-shot features with values Y = one-hot(labels) [N, C]. For an image feature f (L2-normalised here) and its
/// zero-shot logits z = 100·cos:
/// <code>logits = z + α · exp(−β·(1 − f·Keysᵀ)) · Y</code>
/// Trainable: the keys (init = the cached L2-normalised features), β (init 1) and α (init 2); Y and z are fixed.
/// </summary>
/// <remarks>
/// This is the trained ("-F") variant. The released main branch never calls <c>loss.backward()</c>, so its adapter
/// stays at this initialisation (docs/method.md §M7 trap 12). The training loop lives with the few-shot driver; note the two
/// recipes: the code's (AdamW lr 1e-3 for everything, wd 0.1, 10 epochs, cosine, clip 1.0) and the paper's appendix
/// (keys at lr 1e-3, β and α learned at lr 1e-1, 300 epochs), which is why β and α are separate entries. Keys are not
/// re-normalised during training, as in the reference, where they are the weight of a plain <c>nn.Linear</c>.
/// </remarks>
public static class TipAdapter
{
    /// <summary>Name of the trainable key matrix [N, d].</summary>
    public const string Keys = "keys";

    /// <summary>Name of the trainable sharpness β (0-dim).</summary>
    public const string Beta = "beta";

    /// <summary>Name of the trainable residual weight α (0-dim).</summary>
    public const string Alpha = "alpha";

    /// <summary>Tip-Adapter's initial β.</summary>
    public const double InitialBeta = 1;

    /// <summary>Tip-Adapter's initial α.</summary>
    public const double InitialAlpha = 2;

    /// <summary>The trainable tensors at initialisation: keys = L2-normalised <paramref name="features"/>, β = 1, α = 2.</summary>
    /// <param name="features">Cached image features [N, d] (any scale; normalised here).</param>
    /// <param name="labels">Their labels [N] (int64, in [0, classes)); checked against the features.</param>
    /// <param name="classes">C.</param>
    /// <returns>Leaf float32 tensors with <c>requires_grad</c>, keyed <see cref="Keys"/>, <see cref="Beta"/>,
    /// <see cref="Alpha"/>, on the features' device. The caller owns them; the inputs are copied, not aliased.</returns>
    public static Dictionary<string, Tensor> Initialize(Tensor features, Tensor labels, int classes)
    {
        ArgumentNullException.ThrowIfNull(features);
        CheckFeatures(features, nameof(features));
        CheckLabels(labels, classes, features.shape[0]);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var keys = nn.functional.normalize(features.to(ScalarType.Float32), p: 2, dim: -1).clone();
        var trained = new Dictionary<string, Tensor>(StringComparer.Ordinal)
        {
            [Keys] = keys.requires_grad_(true),
            [Beta] = tensor((float)InitialBeta, device: features.device).requires_grad_(true),
            [Alpha] = tensor((float)InitialAlpha, device: features.device).requires_grad_(true),
        };
        foreach (var t in trained.Values) t.MoveToOuterDisposeScope();
        return trained;
    }

    /// <summary>The fixed cache values Y = one-hot(labels) [N, C], float32.</summary>
    public static Tensor Values(Tensor labels, int classes)
    {
        CheckLabels(labels, classes, rows: null);
        using var scope = NewDisposeScope();
        return nn.functional.one_hot(labels, classes).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>The cache term exp(−β·(1 − f̂·Keysᵀ)) · Y [B, C] for image features [B, d] (f̂ = f/‖f‖₂).</summary>
    /// <param name="trained">Keys, β and α as <see cref="Initialize"/> returns them (possibly trained).</param>
    /// <param name="features">Image features [B, d].</param>
    /// <param name="values">Y [N, C] from <see cref="Values"/>.</param>
    public static Tensor CacheLogits(IReadOnlyDictionary<string, Tensor> trained, Tensor features, Tensor values)
    {
        var (keys, beta, _) = Unpack(trained);
        CheckFeatures(features, nameof(features));
        ArgumentNullException.ThrowIfNull(values);
        if (features.shape[1] != keys.shape[1])
            throw new ArgumentException($"features have dimension {features.shape[1]}, but the keys have {keys.shape[1]}", nameof(features));
        if (values.dim() != 2 || values.shape[0] != keys.shape[0])
            throw new ArgumentException(
                $"values must be [{keys.shape[0]}, C] (one row per key), got [{string.Join(", ", values.shape)}]", nameof(values));
        using var scope = NewDisposeScope();
        var affinity = nn.functional.normalize(features, p: 2, dim: -1).matmul(keys.t()); // [B, N]
        // exp(−(β − β·A)), the reference's bracketing of exp(−β(1 − A)).
        return (-(beta - beta * affinity)).exp().matmul(values).MoveToOuterDisposeScope();
    }

    /// <summary>Adapted logits z + α·<see cref="CacheLogits"/> [B, C].</summary>
    /// <param name="trained">Keys, β and α.</param>
    /// <param name="features">Image features [B, d].</param>
    /// <param name="zeroShotLogits">z [B, C], the frozen head's logits of the same images (100·cos).</param>
    /// <param name="values">Y [N, C].</param>
    public static Tensor Logits(IReadOnlyDictionary<string, Tensor> trained, Tensor features, Tensor zeroShotLogits, Tensor values)
    {
        var (_, _, alpha) = Unpack(trained);
        CheckFeatures(features, nameof(features));
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(zeroShotLogits);
        if (zeroShotLogits.dim() != 2 || zeroShotLogits.shape[0] != features.shape[0] || zeroShotLogits.shape[1] != values.shape[1])
            throw new ArgumentException(
                $"zero-shot logits must be [{features.shape[0]}, {values.shape[1]}], got [{string.Join(", ", zeroShotLogits.shape)}]",
                nameof(zeroShotLogits));
        using var scope = NewDisposeScope();
        return (zeroShotLogits + alpha * CacheLogits(trained, features, values)).MoveToOuterDisposeScope();
    }

    private static (Tensor Keys, Tensor Beta, Tensor Alpha) Unpack(IReadOnlyDictionary<string, Tensor> trained)
    {
        ArgumentNullException.ThrowIfNull(trained);
        var keys = AdapterChecks.Require(trained, Keys, "Tip-Adapter");
        var beta = AdapterChecks.Require(trained, Beta, "Tip-Adapter");
        var alpha = AdapterChecks.Require(trained, Alpha, "Tip-Adapter");
        if (keys.dim() != 2) throw new ArgumentException($"Tip-Adapter keys must be [N, d], got [{string.Join(", ", keys.shape)}]");
        if (beta.numel() != 1 || alpha.numel() != 1) throw new ArgumentException("Tip-Adapter β and α must be scalars");
        return (keys, beta, alpha);
    }

    private static void CheckFeatures(Tensor features, string name) => AdapterChecks.Features(features, name);

    private static void CheckLabels(Tensor labels, int classes, long? rows) => AdapterChecks.Labels(labels, classes, rows);
}

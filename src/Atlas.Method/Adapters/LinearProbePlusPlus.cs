using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Method.Adapters;

/// <summary>
/// LP++ (Huang et al., CVPR 2024) over cached features, as aTLAS uses it (docs/method.md §M4.4, main-branch <c>LPPWrapper</c> +
/// <c>lpplusplus.init_lp</c>): a linear layer on the L2-normalised image feature f̂ plus the zero-shot logits blended
/// class-wise,
/// <code>logits = f̂·Wᵀ + b + α ⊙ (z / 100)</code>
/// where z = 100·f̂·ŵ are the frozen head's logits, so z/100 = f̂·Wt with text weights Wt = headWeightᵀ/100 [d, C].
/// Trainable: W [C, d], b [C] and the class-wise α [C].
/// </summary>
/// <remarks>
/// <para>Initialisation: W row c = the SUM (not the mean) of the class-c cached features; b = 0; every α_c =
/// 250 · mean over classes c of (mean over class-c samples i of f̂_i·Wt[:, c]), i.e. 250 times the average
/// similarity of a sample to its own class's text embedding. This is what <c>calculate_init_alpha</c> computes (an
/// element-wise one-hot mask, not a C×C matrix; its shots·…/shots factors cancel).</para>
/// <para>Deviations from the released code, both deliberate: b starts at 0 rather than <c>nn.Linear</c>'s random
/// default, which made runs irreproducible and is the neutral choice; α is trainable — the reference built it as a
/// plain tensor that was never registered with the optimiser (and its adapters never called backward at all,
/// docs/method.md §M7 trap 12). Optimiser per the reference: AdamW at <see cref="WeightLearningRate"/>, wd 0.1, 300 epochs, cosine.</para>
/// </remarks>
public static class LinearProbePlusPlus
{
    /// <summary>Name of the trainable weight [C, d].</summary>
    public const string Weight = "weight";

    /// <summary>Name of the trainable bias [C].</summary>
    public const string Bias = "bias";

    /// <summary>Name of the trainable class-wise blend α [C].</summary>
    public const string Alpha = "alpha";

    /// <summary>LP++'s factor on the mean own-class text similarity that initialises α.</summary>
    public const double AlphaInitScale = 250;

    /// <summary>CLIP's logit scale, by which the head weight and the zero-shot logits are divided.</summary>
    public const double PaperHeadScale = 100;

    /// <summary>The trainable tensors at initialisation (see the type remarks).</summary>
    /// <param name="features">Cached image features [N, d] (normalised here); N counts repeated rows.</param>
    /// <param name="labels">Their labels [N], int64; every class needs at least one row.</param>
    /// <param name="headWeight">The frozen zero-shot head [C, d] (rows = headScale · unit text embeddings).</param>
    /// <param name="headScale">The head's logit scale (100 for OpenAI CLIP, as the reference hard-codes).</param>
    /// <returns>Leaf float32 tensors with <c>requires_grad</c>, keyed <see cref="Weight"/>, <see cref="Bias"/>,
    /// <see cref="Alpha"/>; the caller owns them.</returns>
    public static Dictionary<string, Tensor> Initialize(Tensor features, Tensor labels, Tensor headWeight, double headScale = PaperHeadScale)
    {
        int classes = CheckHead(headWeight, headScale);
        AdapterChecks.Features(features, nameof(features));
        CheckDimension(features, headWeight);
        AdapterChecks.Labels(labels, classes, features.shape[0]);

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var normalised = Normalised(features).to(ScalarType.Float64);
        var oneHot = nn.functional.one_hot(labels, classes).to(ScalarType.Float64); // [N, C]
        var counts = oneHot.sum(dim: 0);
        using Scalar zero = 0.ToScalar();
        long empty = counts.eq(zero).sum().item<long>();
        if (empty > 0)
            throw new ArgumentException(
                $"LP++ needs at least one cached feature per class; {empty} of {classes} classes have none (first: {counts.eq(zero).nonzero()[0, 0].item<long>()})",
                nameof(labels));

        var weight = oneHot.t().matmul(normalised); // per-class sums [C, d]
        var textSimilarity = normalised.matmul(TextWeights(headWeight, headScale).to(ScalarType.Float64)); // [N, C]
        var ownClassMean = (oneHot * textSimilarity).sum(dim: 0) / counts; // [C]
        using Scalar alpha = (AlphaInitScale * ownClassMean.mean().item<double>()).ToScalar();

        var device = features.device;
        var trained = new Dictionary<string, Tensor>(StringComparer.Ordinal)
        {
            [Weight] = weight.to(ScalarType.Float32, device).requires_grad_(true),
            [Bias] = zeros([classes], ScalarType.Float32, device).requires_grad_(true),
            [Alpha] = full([classes], alpha, ScalarType.Float32, device).requires_grad_(true),
        };
        foreach (var t in trained.Values) t.MoveToOuterDisposeScope();
        return trained;
    }

    /// <summary>Adapted logits f̂·Wᵀ + b + α ⊙ (z / headScale) [B, C].</summary>
    /// <param name="trained">Weight, bias and α as <see cref="Initialize"/> returns them (possibly trained).</param>
    /// <param name="features">Image features [B, d] (normalised here).</param>
    /// <param name="zeroShotLogits">z [B, C] of the same images under the frozen head.</param>
    /// <param name="headScale">The head's logit scale.</param>
    public static Tensor Logits(
        IReadOnlyDictionary<string, Tensor> trained, Tensor features, Tensor zeroShotLogits, double headScale = PaperHeadScale)
    {
        ArgumentNullException.ThrowIfNull(trained);
        var weight = AdapterChecks.Require(trained, Weight, "LP++");
        var bias = AdapterChecks.Require(trained, Bias, "LP++");
        var alpha = AdapterChecks.Require(trained, Alpha, "LP++");
        AdapterChecks.Features(features, nameof(features));
        ArgumentNullException.ThrowIfNull(zeroShotLogits);
        if (!(headScale > 0)) throw new ArgumentOutOfRangeException(nameof(headScale), headScale, "the head scale must be positive");
        long classes = weight.shape[0];
        if (weight.dim() != 2 || weight.shape[1] != features.shape[1])
            throw new ArgumentException($"LP++ weight {AdapterChecks.Format(weight)} does not fit features {AdapterChecks.Format(features)}");
        if (!bias.shape.SequenceEqual([classes]) || !alpha.shape.SequenceEqual([classes]))
            throw new ArgumentException(
                $"LP++ bias and α must be [{classes}], got {AdapterChecks.Format(bias)} and {AdapterChecks.Format(alpha)}");
        if (!zeroShotLogits.shape.SequenceEqual([features.shape[0], classes]))
            throw new ArgumentException(
                $"zero-shot logits must be [{features.shape[0]}, {classes}], got {AdapterChecks.Format(zeroShotLogits)}", nameof(zeroShotLogits));
        using var scope = NewDisposeScope();
        using Scalar scale = headScale.ToScalar();
        var vision = nn.functional.linear(Normalised(features), weight, bias);
        return (vision + alpha * (zeroShotLogits / scale)).MoveToOuterDisposeScope();
    }

    /// <summary>The paper's learning rate for the linear layer, lr = 4N / λ_max(F̂ᵀF̂), with F̂ the N cached
    /// L2-normalised features (repeated rows included), computed in float64.</summary>
    public static double WeightLearningRate(Tensor features)
    {
        AdapterChecks.Features(features, nameof(features));
        using var scope = NewDisposeScope();
        var normalised = Normalised(features).to(ScalarType.Float64);
        double largest = linalg.eigvalsh(normalised.t().matmul(normalised)).max().item<double>();
        return 4.0 * features.shape[0] / largest;
    }

    /// <summary>LP++'s learning rate for α, N / (4·max_c Σ_i (f̂_i·Wt[:, c])²). The released aTLAS code computes it
    /// but optimises everything at <see cref="WeightLearningRate"/>; provided for a separate α parameter group.</summary>
    public static double AlphaLearningRate(Tensor features, Tensor headWeight, double headScale = PaperHeadScale)
    {
        CheckHead(headWeight, headScale);
        AdapterChecks.Features(features, nameof(features));
        CheckDimension(features, headWeight);
        using var scope = NewDisposeScope();
        var similarity = Normalised(features).to(ScalarType.Float64).matmul(TextWeights(headWeight, headScale).to(ScalarType.Float64));
        double largest = similarity.square().sum(dim: 0).max().item<double>();
        return features.shape[0] / (4 * largest);
    }

    /// <summary>Wt = headWeightᵀ / headScale [d, C]; the caller owns the scope.</summary>
    private static Tensor TextWeights(Tensor headWeight, double headScale)
    {
        using Scalar scale = headScale.ToScalar();
        return headWeight.detach().t() / scale;
    }

    private static Tensor Normalised(Tensor features) => nn.functional.normalize(features, p: 2, dim: -1);

    private static int CheckHead(Tensor headWeight, double headScale)
    {
        ArgumentNullException.ThrowIfNull(headWeight);
        if (headWeight.dim() != 2 || !headWeight.is_floating_point())
            throw new ArgumentException($"the head weight must be a floating [C, d] matrix, got {headWeight.dtype} {AdapterChecks.Format(headWeight)}", nameof(headWeight));
        if (!(headScale > 0) || double.IsInfinity(headScale))
            throw new ArgumentOutOfRangeException(nameof(headScale), headScale, "the head scale must be positive and finite");
        return checked((int)headWeight.shape[0]);
    }

    private static void CheckDimension(Tensor features, Tensor headWeight)
    {
        if (features.shape[1] != headWeight.shape[1])
            throw new ArgumentException(
                $"features have dimension {features.shape[1]}, but the head weight has {headWeight.shape[1]}", nameof(features));
    }
}

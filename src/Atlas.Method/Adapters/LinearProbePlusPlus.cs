using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Method.Adapters;

/// <summary>
/// LP++ (Huang et al., CVPR 2024) over cached features (docs/method.md §M4.4; the authors' <c>LinearProbe_P2</c> and the
/// aTLAS main branch's <c>lpplusplus.init_lp</c>, which copies its initialisation): a linear layer on the L2-normalised
/// image feature f̂ plus the zero-shot logits blended class-wise,
/// <code>logits = f̂·Wᵀ + b + α ⊙ (z / s)</code>
/// where z = s·f̂·ŵ are the frozen head's logits and s is the head's logit scale, so z/s = f̂·Wt with the unit text
/// weights Wt = headWeightᵀ/s [d, C]. Both reference codes divide by a hard-coded 100 (OpenAI CLIP's scale); here s is
/// read from the head (<see cref="HeadScale"/>), because a backbone whose logit scale is not 100 would otherwise start
/// with its text prior scaled by s/100. Trainable: W [C, d], b [C] and the class-wise α [C].
/// </summary>
/// <remarks>
/// <para>Initialisation: W row c = the SUM (not the mean) of the class-c cached features; b ~ U(−1/√d, 1/√d), PyTorch's
/// <c>nn.Linear</c> default that both reference codes keep, drawn from a seeded generator; with m_c = mean over the
/// class-c samples i of f̂_i·Wt[:, c] (the similarity of a class's shots to its own text embedding), both released
/// codes give every class α_c = 250 · mean_c m_c (<c>calculate_init_alpha</c> ends in <c>torch.mean</c>;
/// <c>perClassAlpha: false</c>, the spec's default); <c>perClassAlpha: true</c> keeps α_c = 250 · m_c (one reading of
/// the reference notes §4.6).</para>
/// <para>Training is not here: the original optimiser and the aTLAS wrapper's AdamW variant live in
/// <c>Atlas.Training.Adapters</c>. α is trainable in both (the aTLAS main branch never registered it with its
/// optimiser, and never called backward at all, docs/method.md §M7 trap 12).</para>
/// </remarks>
public static class LinearProbePlusPlus
{
    /// <summary>Name of the trainable weight [C, d].</summary>
    public const string Weight = "weight";

    /// <summary>Name of the trainable bias [C].</summary>
    public const string Bias = "bias";

    /// <summary>Name of the trainable class-wise blend α [C].</summary>
    public const string Alpha = "alpha";

    /// <summary>LP++'s factor on the own-class text similarity that initialises α.</summary>
    public const double AlphaInitScale = 250;

    /// <summary>Largest relative spread of the head's row norms accepted as one logit scale: a zero-shot head's rows are
    /// s times unit vectors, equal up to float32 rounding.</summary>
    public const double HeadScaleTolerance = 1e-4;

    /// <summary>The head's logit scale s: the common L2 norm of its rows (a zero-shot head is s times unit text
    /// embeddings, <see cref="ZeroShotHead.Build"/>).</summary>
    /// <exception cref="ArgumentException">The rows' norms differ by more than <see cref="HeadScaleTolerance"/>
    /// (relative): the head is not a scaled set of unit embeddings, so it has no single scale to divide by.</exception>
    public static double HeadScale(Tensor headWeight)
    {
        CheckHead(headWeight);
        using var scope = NewDisposeScope();
        var norms = linalg.vector_norm(headWeight.detach().to(ScalarType.Float64), ord: 2, dims: [1]);
        double smallest = norms.min().item<double>(), largest = norms.max().item<double>();
        if (!(smallest > 0) || !double.IsFinite(largest))
            throw new ArgumentException($"the head's rows must have positive finite norms, got {smallest} to {largest}", nameof(headWeight));
        if (largest - smallest > HeadScaleTolerance * largest)
            throw new ArgumentException(
                $"the head's rows have norms from {smallest} to {largest}; LP++ needs a head of equal-norm rows (one logit scale)",
                nameof(headWeight));
        return norms.mean().item<double>();
    }

    /// <summary>The trainable tensors at initialisation (see the type remarks).</summary>
    /// <param name="features">Cached image features [N, d] (normalised here); N counts repeated rows.</param>
    /// <param name="labels">Their labels [N], int64; every class needs at least one row.</param>
    /// <param name="headWeight">The frozen zero-shot head [C, d] (rows = s · unit text embeddings).</param>
    /// <param name="perClassAlpha">true: α_c from class c's own similarities; false: every α_c = the mean over classes
    /// (the released codes).</param>
    /// <param name="seed">Seed of the bias draw.</param>
    /// <returns>Leaf float32 tensors with <c>requires_grad</c>, keyed <see cref="Weight"/>, <see cref="Bias"/>,
    /// <see cref="Alpha"/>; the caller owns them.</returns>
    public static Dictionary<string, Tensor> Initialize(Tensor features, Tensor labels, Tensor headWeight, bool perClassAlpha, long seed)
    {
        double headScale = HeadScale(headWeight);
        int classes = checked((int)headWeight.shape[0]);
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
        using Scalar alphaScale = AlphaInitScale.ToScalar();
        var ownClassMean = oneHot.mul(textSimilarity).sum(dim: 0).div(counts); // [C]
        var alpha = perClassAlpha ? ownClassMean.mul(alphaScale) : ownClassMean.mean().mul(alphaScale).expand(classes);

        // nn.Linear's default bias: U(−1/√fan_in, 1/√fan_in), fan_in = d.
        using var generator = new Generator(unchecked((ulong)seed));
        double bound = 1 / Math.Sqrt(features.shape[1]);
        using Scalar width = (2 * bound).ToScalar(), low = (-bound).ToScalar(), one = 1.0.ToScalar();
        var bias = rand([classes], ScalarType.Float64, generator: generator).mul(width).add(low, one);

        var device = features.device;
        var trained = new Dictionary<string, Tensor>(StringComparer.Ordinal)
        {
            [Weight] = weight.to(ScalarType.Float32, device).requires_grad_(true),
            [Bias] = bias.to(ScalarType.Float32, device).requires_grad_(true),
            [Alpha] = alpha.contiguous().to(ScalarType.Float32, device).requires_grad_(true),
        };
        foreach (var t in trained.Values) t.MoveToOuterDisposeScope();
        return trained;
    }

    /// <summary>Adapted logits f̂·Wᵀ + b + α ⊙ (z / s) [B, C].</summary>
    /// <param name="trained">Weight, bias and α as <see cref="Initialize"/> returns them (possibly trained).</param>
    /// <param name="features">Image features [B, d] (normalised here).</param>
    /// <param name="zeroShotLogits">z [B, C] of the same images under the frozen head.</param>
    /// <param name="headScale">The logit scale s of the head that produced z (<see cref="HeadScale"/>); no default,
    /// because a wrong s silently rescales the text prior.</param>
    public static Tensor Logits(
        IReadOnlyDictionary<string, Tensor> trained, Tensor features, Tensor zeroShotLogits, double headScale)
    {
        ArgumentNullException.ThrowIfNull(trained);
        var weight = AdapterChecks.Require(trained, Weight, "LP++");
        var bias = AdapterChecks.Require(trained, Bias, "LP++");
        var alpha = AdapterChecks.Require(trained, Alpha, "LP++");
        AdapterChecks.Features(features, nameof(features));
        ArgumentNullException.ThrowIfNull(zeroShotLogits);
        CheckScale(headScale);
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
        using Scalar scale = headScale.ToScalar(), one = 1.0.ToScalar();
        var vision = nn.functional.linear(Normalised(features), weight, bias);
        return vision.add(zeroShotLogits.div(scale).mul(alpha), one).MoveToOuterDisposeScope();
    }

    /// <summary>The paper's learning rate for the linear layer, lr_w = 4N / λ_max(F̂ᵀF̂), with F̂ the N cached
    /// L2-normalised features (repeated rows included), computed in float64.</summary>
    public static double WeightLearningRate(Tensor features)
    {
        AdapterChecks.Features(features, nameof(features));
        using var scope = NewDisposeScope();
        var normalised = Normalised(features).to(ScalarType.Float64);
        double largest = linalg.eigvalsh(normalised.t().matmul(normalised)).max().item<double>();
        return 4.0 * features.shape[0] / largest;
    }

    /// <summary>LP++'s learning rate for α, lr_α = N / (4·max_c Σ_i (f̂_i·Wt[:, c])²), with the unit text weights of the
    /// head (its own scale divided out).</summary>
    public static double AlphaLearningRate(Tensor features, Tensor headWeight)
    {
        double headScale = HeadScale(headWeight);
        AdapterChecks.Features(features, nameof(features));
        CheckDimension(features, headWeight);
        using var scope = NewDisposeScope();
        var similarity = Normalised(features).to(ScalarType.Float64).matmul(TextWeights(headWeight, headScale).to(ScalarType.Float64));
        double largest = similarity.square().sum(dim: 0).max().item<double>();
        return features.shape[0] / (4 * largest);
    }

    /// <summary>Wt = headWeightᵀ / s [d, C]; the caller owns the scope.</summary>
    private static Tensor TextWeights(Tensor headWeight, double headScale)
    {
        using Scalar scale = headScale.ToScalar();
        return headWeight.detach().t().div(scale);
    }

    private static Tensor Normalised(Tensor features) => nn.functional.normalize(features, p: 2, dim: -1);

    private static void CheckHead(Tensor headWeight)
    {
        ArgumentNullException.ThrowIfNull(headWeight);
        if (headWeight.dim() != 2 || !headWeight.is_floating_point())
            throw new ArgumentException($"the head weight must be a floating [C, d] matrix, got {headWeight.dtype} {AdapterChecks.Format(headWeight)}", nameof(headWeight));
    }

    private static void CheckScale(double headScale)
    {
        if (!(headScale > 0) || double.IsInfinity(headScale))
            throw new ArgumentOutOfRangeException(nameof(headScale), headScale, "the head scale must be positive and finite");
    }

    private static void CheckDimension(Tensor features, Tensor headWeight)
    {
        if (features.shape[1] != headWeight.shape[1])
            throw new ArgumentException(
                $"features have dimension {features.shape[1]}, but the head weight has {headWeight.shape[1]}", nameof(features));
    }
}

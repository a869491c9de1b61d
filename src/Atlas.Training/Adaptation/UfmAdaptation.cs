using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Training.Adaptation;

/// <summary>
/// The unsupervised FixMatch-style (UFM) objective of docs/method.md §M5 in its intended form, the ssl branch's: targets are the
/// detached weak-view predictions raised to the power 1/T (paper: T = 2) and renormalised, replaced by the one-hot
/// pseudo-label on trusted samples; only samples whose target's largest probability exceeds the epoch's threshold
/// (<see cref="UfmSettings.Threshold"/>) count, and the soft-target cross-entropy of the strong view is averaged over
/// them. The released main branch is not reproduced: its ×0.5 "sharpening" is a no-op and its trusted mask covers every
/// sample (§M7 trap 10), which degrades the loss to plain cross-entropy against frozen zero-shot labels.
/// </summary>
/// <remarks>Despite its name in the released code, q^{1/2} flattens q (it is a temperature of 2), so fewer weak
/// predictions clear the threshold than with q itself; this is reproduced as specified.</remarks>
public static class UfmAdaptation
{
    /// <summary>q^{1/T} / Σ_c q^{1/T} per row of probabilities [B, C], T = <paramref name="temperature"/>.</summary>
    public static Tensor Sharpen(Tensor probabilities, double temperature)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        if (!(double.IsFinite(temperature) && temperature > 0)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "the temperature must be finite and > 0");
        if (probabilities.dim() != 2) throw new ArgumentException($"expected probabilities [B, C], got [{string.Join(", ", probabilities.shape)}]", nameof(probabilities));
        using var scope = NewDisposeScope();
        using Scalar exponent = (1 / temperature).ToScalar();
        var powered = probabilities.pow(exponent);
        return (powered / powered.sum(dim: -1, keepdim: true)).MoveToOuterDisposeScope();
    }

    /// <summary>The detached soft targets q [B, C]: sharpened weak-view softmax, one-hot(ŷ) on trusted rows.</summary>
    /// <param name="logitsWeak">Weak-view logits [B, C].</param>
    /// <param name="trustedMask">Bool [B]: which rows come from the trusted set.</param>
    /// <param name="pseudoLabels">Int64 [B]: ŷ of every row (only trusted rows use it).</param>
    /// <param name="temperature">T of the sharpening (paper: 2).</param>
    public static Tensor Targets(Tensor logitsWeak, Tensor trustedMask, Tensor pseudoLabels, double temperature)
    {
        ArgumentNullException.ThrowIfNull(logitsWeak);
        ValidateRows(logitsWeak, trustedMask, pseudoLabels);
        using var scope = NewDisposeScope();
        var q = Sharpen(nn.functional.softmax(logitsWeak.detach(), -1), temperature);
        var oneHot = nn.functional.one_hot(pseudoLabels, logitsWeak.shape[1]).to_type(q.dtype);
        return where(trustedMask.unsqueeze(1), oneHot, q).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// L = Σ_i w_i·CE(logitsStrong_i, q_i) / max(Σ_i w_i, 1) with w_i = 1[max_c q_ic &gt; threshold] and the soft-target
    /// cross-entropy CE(z, q) = −Σ_c q_c·log softmax(z)_c; q from <see cref="Targets"/>. A batch in which no sample clears
    /// the threshold gives 0 (with a zero gradient) rather than 0/0.
    /// </summary>
    public static Tensor UfmLoss(Tensor logitsWeak, Tensor logitsStrong, Tensor trustedMask, Tensor pseudoLabels, double threshold, double temperature)
    {
        ArgumentNullException.ThrowIfNull(logitsWeak);
        ArgumentNullException.ThrowIfNull(logitsStrong);
        if (!logitsStrong.shape.SequenceEqual(logitsWeak.shape))
            throw new ArgumentException($"strong-view logits [{string.Join(", ", logitsStrong.shape)}] differ in shape from the weak-view ones [{string.Join(", ", logitsWeak.shape)}]", nameof(logitsStrong));
        if (!(threshold >= 0 && threshold < 1)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "the threshold must lie in [0, 1)");
        using var scope = NewDisposeScope();
        using Scalar thresholdScalar = threshold.ToScalar(), one = 1.ToScalar();
        var q = Targets(logitsWeak, trustedMask, pseudoLabels, temperature);
        var weights = q.amax(-1).gt(thresholdScalar).to_type(logitsStrong.dtype);
        var crossEntropy = -(q.to_type(logitsStrong.dtype) * nn.functional.log_softmax(logitsStrong, -1)).sum(dim: -1);
        return ((weights * crossEntropy).sum() / weights.sum().clamp_min(one)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Part <paramref name="micro"/> of <paramref name="microBatches"/> of <see cref="UfmLoss"/>, for gradient
    /// accumulation: <paramref name="logitsStrongPart"/> are the strong-view logits of the batch's rows
    /// [m·B/k, (m + 1)·B/k) only, while the weak view (without gradients), the mask and the pseudo-labels are the whole
    /// batch's, so every row's target and weight are those of the whole batch. The part's weighted cross-entropies are
    /// divided by the weight sum of the whole batch and multiplied by k: the 1/k-scaled sum over the k parts is the whole
    /// batch's loss, and so is its gradient (a per-part weighted mean would weigh the parts' rows unequally whenever
    /// their passing counts differ). With k = 1 it is <see cref="UfmLoss"/>.
    /// </summary>
    public static Tensor UfmLossOfPart(Tensor logitsWeak, Tensor logitsStrongPart, Tensor trustedMask, Tensor pseudoLabels, double threshold,
        double temperature, int micro, int microBatches)
    {
        if (microBatches == 1 && micro == 0) return UfmLoss(logitsWeak, logitsStrongPart, trustedMask, pseudoLabels, threshold, temperature);
        ArgumentNullException.ThrowIfNull(logitsWeak);
        ArgumentNullException.ThrowIfNull(logitsStrongPart);
        long rows = logitsWeak.shape[0];
        if (microBatches < 1 || rows % microBatches != 0 || micro < 0 || micro >= microBatches)
            throw new ArgumentException($"part {micro} of {microBatches}: the batch of {rows} must split into {microBatches} equal parts");
        long size = rows / microBatches;
        if (logitsStrongPart.dim() != 2 || logitsStrongPart.shape[0] != size || logitsStrongPart.shape[1] != logitsWeak.shape[1])
            throw new ArgumentException($"strong-view logits of part {micro} must be [{size}, {logitsWeak.shape[1]}], got [{string.Join(", ", logitsStrongPart.shape)}]", nameof(logitsStrongPart));
        if (!(threshold >= 0 && threshold < 1)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "the threshold must lie in [0, 1)");
        using var scope = NewDisposeScope();
        using Scalar thresholdScalar = threshold.ToScalar(), one = 1.ToScalar(), parts = microBatches.ToScalar();
        var q = Targets(logitsWeak, trustedMask, pseudoLabels, temperature);
        var weights = q.amax(-1).gt(thresholdScalar).to_type(logitsStrongPart.dtype);
        var partQ = q.narrow(0, micro * size, size).to_type(logitsStrongPart.dtype);
        var partWeights = weights.narrow(0, micro * size, size);
        var crossEntropy = -(partQ * nn.functional.log_softmax(logitsStrongPart, -1)).sum(dim: -1);
        return ((partWeights * crossEntropy).sum().mul(parts) / weights.sum().clamp_min(one)).MoveToOuterDisposeScope();
    }

    private static void ValidateRows(Tensor logits, Tensor trustedMask, Tensor pseudoLabels)
    {
        ArgumentNullException.ThrowIfNull(trustedMask);
        ArgumentNullException.ThrowIfNull(pseudoLabels);
        if (logits.dim() != 2 || logits.shape[1] < 1)
            throw new ArgumentException($"expected logits [B, C], got [{string.Join(", ", logits.shape)}]", nameof(logits));
        long rows = logits.shape[0], classes = logits.shape[1];
        if (trustedMask.dtype != ScalarType.Bool || !trustedMask.shape.SequenceEqual([rows]))
            throw new ArgumentException($"expected a bool trusted mask [{rows}], got {trustedMask.dtype} [{string.Join(", ", trustedMask.shape)}]", nameof(trustedMask));
        if (pseudoLabels.dtype != ScalarType.Int64 || !pseudoLabels.shape.SequenceEqual([rows]))
            throw new ArgumentException($"expected int64 pseudo-labels [{rows}], got {pseudoLabels.dtype} [{string.Join(", ", pseudoLabels.shape)}]", nameof(pseudoLabels));
        if (rows > 0)
        {
            using var scope = NewDisposeScope();
            using Scalar zero = 0.ToScalar(), classCount = classes.ToScalar();
            if (pseudoLabels.lt(zero).any().item<bool>() || pseudoLabels.ge(classCount).any().item<bool>())
                throw new ArgumentException($"pseudo-labels must lie in 0..{classes - 1}", nameof(pseudoLabels));
        }
    }
}

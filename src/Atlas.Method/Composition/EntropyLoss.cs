using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Method.Composition;

/// <summary>Shannon entropy of softmax predictions, the unsupervised objective of AdaMerging and of the
/// <c>entropy</c> loss in docs/method.md §M5: H(p) = −Σ_c p_c log p_c with p = softmax(logits).</summary>
public static class EntropyLoss
{
    /// <summary>H per row of logits [N, C] (natural log) → [N]. Classes with probability exactly 0 (for example −∞
    /// logits) contribute 0, with a finite gradient.</summary>
    public static Tensor PerRow(Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.dim() != 2) throw new ArgumentException($"expected logits [N, C], got {Shapes.Format(logits.shape)}", nameof(logits));
        using var scope = NewDisposeScope();
        var logProbabilities = nn.functional.log_softmax(logits, -1);
        var probabilities = logProbabilities.exp();
        using Scalar zero = 0.ToScalar();
        var safeLog = logProbabilities.masked_fill(probabilities.eq(zero), zero);
        return (-(probabilities * safeLog).sum(dim: -1)).MoveToOuterDisposeScope();
    }

    /// <summary>Mean over rows of H(softmax(logits)); a scalar.</summary>
    public static Tensor Mean(Tensor logits)
    {
        using var scope = NewDisposeScope();
        return PerRow(logits).mean().MoveToOuterDisposeScope();
    }

    /// <summary>Σ_b mean over the rows of batch b of H(softmax(logits)), the rows cut into consecutive batches of
    /// <paramref name="batchSize"/> (the last may be short): AdaMerging's per-task loss, which adds one mean per
    /// loader batch. With full batches this is (N / batchSize) × <see cref="Mean"/>.</summary>
    public static Tensor SumOfBatchMeans(Tensor logits, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        using var scope = NewDisposeScope();
        var means = PerRow(logits).split(batchSize).Select(batch => batch.mean()).ToArray();
        return stack(means).sum().MoveToOuterDisposeScope();
    }
}

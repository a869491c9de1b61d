using static TorchSharp.torch;

namespace Atlas.Training.Adaptation;

/// <summary>
/// UFM's split of the unlabelled test images into a trusted set and the rest (docs/method.md §M5), by one of two rules:
/// <list type="bullet">
/// <item><see cref="PerPredictedClass"/>, the rule of paper App. E and of the ssl branch (<c>learn_coef.py</c>): among the
/// images the model predicts as class c, the k with the highest confidence max_c p(c|x); each is labelled c (its own
/// prediction). The set is class-balanced (at most k per class, fewer when fewer images are predicted as c). UFM
/// re-estimates it with the current model at the start of every epoch (<see cref="UfmSchedule"/>).</item>
/// <item><see cref="PerColumn"/>, the released main branch's rule (<c>learn_ufm.py</c>), applied once to the zero-shot
/// probabilities: for every class c the k images with the highest p(c|x), ranking column c over all images; each is
/// labelled with its argmax, so an image can be trusted "for c" yet labelled with another class, and the set need not
/// be class-balanced.</item>
/// </list>
/// Under both rules the trusted set is the sorted, distinct union and every other image is unlabelled; every image's
/// pseudo-label is its prediction ŷ = argmax_c p(c|x) (only trusted images use it).
/// </summary>
public sealed class TrustedSet
{
    private TrustedSet(int perClass, int[] trusted, int[] unlabelled, long[] pseudoLabels)
    {
        PerClass = perClass;
        Trusted = trusted;
        Unlabelled = unlabelled;
        PseudoLabels = pseudoLabels;
    }

    /// <summary>k: the images taken per class.</summary>
    public int PerClass { get; }

    /// <summary>Trusted image indices, ascending and distinct (at most C·k).</summary>
    public IReadOnlyList<int> Trusted { get; }

    /// <summary>All other image indices, ascending.</summary>
    public IReadOnlyList<int> Unlabelled { get; }

    /// <summary>ŷ = argmax_c p(c|x) for every image (index = image index).</summary>
    public IReadOnlyList<long> PseudoLabels { get; }

    /// <summary>
    /// k = min(⌊N / C / <paramref name="divisor"/>⌋, <paramref name="cap"/>) (paper: divisor 10, cap 100), raised to 1
    /// when the formula gives 0 (§M7 trap 11: the released slicing <c>[-0:]</c> would then select every image, which is
    /// never intended); <c>RaisedFromZero</c> says whether it was.
    /// </summary>
    public static (int PerClass, bool RaisedFromZero) PerClassFor(int imageCount, int classCount, int divisor, int cap)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(divisor);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cap);
        // ⌊⌊N / C⌋ / d⌋ = ⌊N / (d·C)⌋; long avoids overflow of d·C.
        long k = Math.Min(imageCount / ((long)divisor * classCount), cap);
        return ((int)Math.Max(1, k), k == 0);
    }

    /// <summary>The paper's rule: per predicted class c, the <paramref name="perClass"/> images predicted as c with the
    /// highest confidence, from probabilities [N, C] of the current model.</summary>
    public static TrustedSet PerPredictedClass(Tensor probabilities, int perClass)
    {
        using var scope = NewDisposeScope();
        var (p, n, classes) = Validate(probabilities, perClass);
        var confidences = p.amax(1).to_type(ScalarType.Float64).data<double>().ToArray();
        var predictions = p.argmax(1).data<long>().ToArray();
        var trusted = new SortedSet<int>();
        for (int c = 0; c < classes; c++)
        {
            // Descending confidence; ties go to the lower image index, so the set cannot depend on a sort implementation.
            foreach (int index in Enumerable.Range(0, n).Where(i => predictions[i] == c)
                         .OrderByDescending(i => confidences[i]).ThenBy(i => i).Take(perClass))
                trusted.Add(index);
        }
        return Create(n, perClass, trusted, predictions);
    }

    /// <summary>The released main branch's rule: per class c, the <paramref name="perClass"/> images with the highest
    /// p(c|x) over all images, from probabilities [N, C] (zero-shot in that code).</summary>
    public static TrustedSet PerColumn(Tensor probabilities, int perClass)
    {
        using var scope = NewDisposeScope();
        var (p, n, classes) = Validate(probabilities, perClass);
        var trusted = new SortedSet<int>();
        for (int c = 0; c < classes; c++)
        {
            using var columnScope = NewDisposeScope();
            // A stable descending sort ranks equal probabilities by image index.
            var (_, order) = p.select(1, c).sort(dim: 0, descending: true, stable: true);
            foreach (long index in order.narrow(0, 0, Math.Min(perClass, n)).data<long>()) trusted.Add((int)index);
        }
        return Create(n, perClass, trusted, p.argmax(1).data<long>().ToArray());
    }

    /// <summary>The pseudo-labels of the given images as an int64 tensor [B], for <see cref="UfmAdaptation.UfmLoss"/>.</summary>
    public Tensor PseudoLabelsOf(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var labels = new long[indices.Count];
        for (int i = 0; i < labels.Length; i++)
        {
            int index = indices[i];
            if ((uint)index >= (uint)PseudoLabels.Count)
                throw new ArgumentOutOfRangeException(nameof(indices), index, $"image index outside 0..{PseudoLabels.Count - 1}");
            labels[i] = PseudoLabels[index];
        }
        return tensor(labels);
    }

    private static TrustedSet Create(int n, int perClass, SortedSet<int> trusted, long[] pseudoLabels) =>
        new(perClass, [.. trusted], [.. Enumerable.Range(0, n).Where(i => !trusted.Contains(i))], pseudoLabels);

    private static (Tensor Probabilities, int Images, int Classes) Validate(Tensor probabilities, int perClass)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perClass);
        if (probabilities.dim() != 2 || probabilities.shape[0] == 0 || probabilities.shape[1] == 0)
            throw new ArgumentException($"expected probabilities [N, C] with N, C ≥ 1, got [{string.Join(", ", probabilities.shape)}]", nameof(probabilities));
        if (!probabilities.is_floating_point())
            throw new ArgumentException($"expected floating-point probabilities, got {probabilities.dtype}", nameof(probabilities));
        return (probabilities.detach(), checked((int)probabilities.shape[0]), checked((int)probabilities.shape[1]));
    }
}

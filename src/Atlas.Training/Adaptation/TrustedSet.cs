using static TorchSharp.torch;

namespace Atlas.Training.Adaptation;

/// <summary>
/// The split of the unlabelled test images for UFM (docs/method.md §M5, ssl branch): for every class c the k images with the
/// highest zero-shot probability p0(c|x), ranking column c over all images, form the trusted set (their union, sorted);
/// all other images are unlabelled. k = min(⌊N / C / 10⌋, 100), raised to 1 when the formula gives 0 (§M7 trap 11: the
/// released slicing <c>[-0:]</c> would then select every image, which is never intended). Every image's pseudo-label is
/// its zero-shot prediction ŷ = argmax_c p0(c|x).
/// </summary>
public sealed class TrustedSet
{
    /// <summary>The cap on images per class.</summary>
    public const int MaxPerClass = 100;

    private TrustedSet(int perClass, bool raisedFromZero, int[] trusted, int[] unlabelled, long[] pseudoLabels)
    {
        PerClass = perClass;
        RaisedFromZero = raisedFromZero;
        Trusted = trusted;
        Unlabelled = unlabelled;
        PseudoLabels = pseudoLabels;
    }

    /// <summary>k: the images taken per class.</summary>
    public int PerClass { get; }

    /// <summary>Whether ⌊N / C / 10⌋ was 0 and k was raised to 1.</summary>
    public bool RaisedFromZero { get; }

    /// <summary>Trusted image indices, ascending and distinct (at most C·k: one image may top several classes).</summary>
    public IReadOnlyList<int> Trusted { get; }

    /// <summary>All other image indices, ascending.</summary>
    public IReadOnlyList<int> Unlabelled { get; }

    /// <summary>ŷ = argmax p0 for every image (index = image index).</summary>
    public IReadOnlyList<long> PseudoLabels { get; }

    /// <summary>k for <paramref name="imageCount"/> images over <paramref name="classCount"/> classes, with the 0 → 1 guard.</summary>
    public static int PerClassFor(int imageCount, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        // ⌊⌊N / C⌋ / 10⌋ = ⌊N / (10·C)⌋; long avoids overflow of 10·C.
        return (int)Math.Max(1, Math.Min(imageCount / (10L * classCount), MaxPerClass));
    }

    /// <summary>Builds the split from the zero-shot probabilities [N, C] of all test images.</summary>
    public static TrustedSet Build(Tensor zeroShotProbabilities)
    {
        ArgumentNullException.ThrowIfNull(zeroShotProbabilities);
        var p0 = zeroShotProbabilities;
        if (p0.dim() != 2 || p0.shape[0] == 0 || p0.shape[1] == 0)
            throw new ArgumentException($"expected probabilities [N, C] with N, C ≥ 1, got [{string.Join(", ", p0.shape)}]", nameof(zeroShotProbabilities));
        if (!p0.is_floating_point())
            throw new ArgumentException($"expected floating-point probabilities, got {p0.dtype}", nameof(zeroShotProbabilities));
        int n = checked((int)p0.shape[0]), classes = checked((int)p0.shape[1]);
        int k = PerClassFor(n, classes);

        using var scope = NewDisposeScope();
        var probabilities = p0.detach();
        var trusted = new SortedSet<int>();
        for (int c = 0; c < classes; c++)
        {
            using var columnScope = NewDisposeScope();
            // A stable descending sort ranks equal probabilities by image index, so ties cannot make the set depend on
            // the sort implementation.
            var (_, order) = probabilities.select(1, c).sort(dim: 0, descending: true, stable: true);
            foreach (long index in order.narrow(0, 0, k).data<long>()) trusted.Add((int)index);
        }
        var pseudoLabels = probabilities.argmax(1).data<long>().ToArray();
        var unlabelled = Enumerable.Range(0, n).Where(i => !trusted.Contains(i)).ToArray();
        return new TrustedSet(k, n / (10L * classes) == 0, [.. trusted], unlabelled, pseudoLabels);
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
}

using Atlas.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Training.Adaptation;

/// <summary>
/// UFM's epochs (docs/method.md §M5): the trusted set of every epoch and the two-stream batches drawn from it. Under the paper's
/// rule (App. E, ssl branch <c>learn_coef.py</c>) the set is re-estimated at the first step of every epoch from the
/// probabilities of the current model on all N images; under the released main branch's rule it is chosen once, at
/// step 0, where Λ is still at its start (zero-shot). Each epoch then draws <see cref="UfmBatches"/> from its own split
/// with its own seed: one pass over its unlabelled images and a fresh trusted stream, as the ssl branch builds a new
/// sampler every epoch.
/// </summary>
/// <remarks>
/// An epoch is a fixed ⌊(N − C·k) / (B − t)⌋ steps. The released code runs ⌊|unlabelled| / (B − t)⌋ steps, which
/// changes with each epoch's set; N − C·k is the fewest unlabelled images any set can leave (it holds at most k per
/// class), so the fixed length equals the released one whenever every class has at least k images and never runs past
/// one pass, and the cosine schedule's horizon is known in advance (the ssl branch sized its schedule from the plain
/// ⌈N / B⌉ loader instead). Because a set depends on the model at its epoch's start, steps must be requested in order
/// from step 0 (no resume into the middle of a run).
/// </remarks>
public sealed class UfmSchedule
{
    private readonly UfmSettings _settings;
    private readonly int _imageCount;
    private readonly int _classCount;
    private readonly ulong _seed;
    private readonly List<(TrustedSet Set, UfmBatches Batches)> _epochs = [];

    /// <param name="imageCount">N: the unlabelled test images.</param>
    /// <param name="classCount">C.</param>
    /// <param name="batchSize">B.</param>
    /// <param name="epochs">E.</param>
    public UfmSchedule(int imageCount, int classCount, int batchSize, int epochs, UfmSettings settings, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epochs);
        settings.Validate();
        _settings = settings;
        _imageCount = imageCount;
        _classCount = classCount;
        _seed = seed;
        (PerClass, RaisedFromZero) = TrustedSet.PerClassFor(imageCount, classCount, settings.TrustedDivisor, settings.TrustedCap);
        BatchSize = batchSize;
        TrustedPerBatch = settings.TrustedPerBatch(batchSize);
        Epochs = epochs;
        long fewestUnlabelled = imageCount - (long)classCount * PerClass;
        StepsPerEpoch = (int)Math.Max(0, fewestUnlabelled / (batchSize - TrustedPerBatch));
        if (StepsPerEpoch < 1)
            throw new ArgumentException($"{imageCount} images less {classCount}·{PerClass} trusted ones cannot fill one batch part of {batchSize - TrustedPerBatch} unlabelled images", nameof(imageCount));
    }

    /// <summary>k: the trusted images per class.</summary>
    public int PerClass { get; }

    /// <summary>Whether ⌊N / C / d⌋ was 0 and k was raised to 1.</summary>
    public bool RaisedFromZero { get; }

    public int BatchSize { get; }

    /// <summary>t = ⌊B·share⌋: the trailing trusted positions of every batch.</summary>
    public int TrustedPerBatch { get; }

    public int Epochs { get; }

    /// <summary>⌊(N − C·k) / (B − t)⌋.</summary>
    public int StepsPerEpoch { get; }

    /// <summary>E·<see cref="StepsPerEpoch"/>: the length of the run (the cosine schedule's horizon).</summary>
    public int Steps => Epochs * StepsPerEpoch;

    /// <summary>The trusted set of every epoch reached so far (the same set repeated under the once rule).</summary>
    public IReadOnlyList<TrustedSet> Sets => [.. _epochs.Select(e => e.Set)];

    /// <summary>
    /// The batch of <paramref name="step"/>: image indices (unlabelled first, trusted last), the pseudo-labels of the
    /// epoch's set and the epoch's threshold. At the first step of an epoch whose set is still unknown,
    /// <paramref name="currentProbabilities"/> is called once for the current model's probabilities [N, C] on all
    /// images (without gradients); it is never called otherwise.
    /// </summary>
    public UfmBatch At(long step, Func<Tensor> currentProbabilities)
    {
        ArgumentNullException.ThrowIfNull(currentProbabilities);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(step, Steps);
        int epoch = (int)(step / StepsPerEpoch);
        if (epoch == _epochs.Count)
        {
            if (step % StepsPerEpoch != 0)
                throw new InvalidOperationException($"the trusted set of epoch {epoch} is estimated at its first step, {(long)epoch * StepsPerEpoch}; step {step} came first");
            var set = epoch > 0 && !_settings.TrustedPerPredictedClassEachEpoch ? _epochs[0].Set : Estimate(currentProbabilities);
            _epochs.Add((set, new UfmBatches(set.Unlabelled, set.Trusted, BatchSize, TrustedPerBatch, DeterministicRng.DeriveSeed(_seed, (ulong)epoch))));
        }
        else if (epoch > _epochs.Count)
            throw new InvalidOperationException($"step {step} is in epoch {epoch}, but epoch {_epochs.Count} has not started");
        var (trusted, batches) = _epochs[epoch];
        var indices = batches.At(step % StepsPerEpoch);
        return new UfmBatch(epoch, indices, trusted.PseudoLabelsOf(indices), _settings.Threshold(epoch, Epochs));
    }

    /// <summary>Bool [B]: true on the trusted (last t) positions of every batch.</summary>
    public Tensor TrustedMask()
    {
        using var scope = NewDisposeScope();
        using Scalar batchSize = BatchSize.ToScalar(), unlabelled = (BatchSize - TrustedPerBatch).ToScalar();
        return arange(batchSize).ge(unlabelled).MoveToOuterDisposeScope();
    }

    private TrustedSet Estimate(Func<Tensor> currentProbabilities)
    {
        using var scope = NewDisposeScope();
        Tensor probabilities;
        using (no_grad()) probabilities = currentProbabilities();
        if (!probabilities.shape.SequenceEqual([_imageCount, _classCount]))
            throw new InvalidOperationException($"expected the current model's probabilities [{_imageCount}, {_classCount}], got [{string.Join(", ", probabilities.shape)}]");
        return _settings.TrustedPerPredictedClassEachEpoch
            ? TrustedSet.PerPredictedClass(probabilities, PerClass)
            : TrustedSet.PerColumn(probabilities, PerClass);
    }
}

/// <summary>One UFM step's batch.</summary>
/// <param name="Epoch">The epoch (0-based).</param>
/// <param name="Indices">Image indices [B]: unlabelled first, trusted last.</param>
/// <param name="PseudoLabels">Int64 [B]: the epoch's pseudo-label of every image (only trusted positions use it).</param>
/// <param name="Threshold">The epoch's confidence threshold.</param>
public sealed record UfmBatch(int Epoch, int[] Indices, Tensor PseudoLabels, double Threshold);

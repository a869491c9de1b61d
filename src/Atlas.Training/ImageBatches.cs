using Atlas.Data;
using static TorchSharp.torch;

namespace Atlas.Training;

/// <summary>
/// Training batches of one labelled image set as a pure function of the step: shuffled indices from the seeded batch
/// schedule, then the set's augmentation of them (<see cref="ILabelledImageSet.LoadBatch"/>, drawn from (seed, step)). A
/// resumed loop therefore sees exactly the batches an uninterrupted one would. Without an augmentation the images are
/// taken as they are (unlabelled test-time objectives). <paramref name="sampling"/> chooses between passes over the set
/// (training) and a fresh shuffle at every step (AdaMerging's loader). The set stays the caller's.
/// </summary>
public sealed class ImageBatches(
    ILabelledImageSet images, int batchSize, BatchAugmentation? augmentation, long seed, BatchSampling sampling = BatchSampling.Passes)
{
    private readonly BatchSchedule _schedule = new(images.Count, batchSize, unchecked((ulong)seed));

    /// <summary>Batches of images held in tensors ([n, C, H, W] and int64 labels [n]), which stay the caller's: a crop
    /// over <paramref name="cropScale"/> when given, then a mirror with <paramref name="flipProbability"/>.</summary>
    public ImageBatches(Tensor images, Tensor labels, int batchSize, (double Min, double Max)? cropScale, long seed, double flipProbability = 0,
        BatchSampling sampling = BatchSampling.Passes)
        : this(new TaskView(images, labels), batchSize, BatchAugmentation.Crop(cropScale, flipProbability), seed, sampling)
    {
    }

    /// <summary>Augmented images [B, C, H, W] in [0, 1] and their labels for one step.</summary>
    public (Tensor Images, Tensor Labels) At(long step)
    {
        using var scope = NewDisposeScope();
        long[] indices = [.. _schedule.At(step, sampling).Select(i => (long)i)];
        var selected = images.LoadBatch(indices, augmentation, seed, step);
        var labels = images.Labels.index_select(0, tensor(indices));
        return (selected.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }

    /// <summary>Micro-batch <paramref name="micro"/> of <paramref name="microBatches"/> equal parts of step
    /// <paramref name="step"/>'s batch (in order), for gradient accumulation: the parts together are exactly
    /// <see cref="At(long)"/>, since the whole batch is drawn and augmented before it is cut.</summary>
    public (Tensor Images, Tensor Labels) At(long step, int micro, int microBatches)
    {
        if (microBatches < 1 || batchSize % microBatches != 0 || micro < 0 || micro >= microBatches)
            throw new ArgumentException($"micro-batch {micro} of {microBatches}: the batch of {batchSize} must split into {microBatches} equal parts");
        if (microBatches == 1) return At(step);
        var (images, labels) = WholeBatch(step);
        long size = images.shape[0] / microBatches;
        return (images.narrow(0, micro * size, size), labels.narrow(0, micro * size, size));
    }

    // The parts of one step are asked for one after another: the whole batch is drawn (for images read from files,
    // decoded) once and kept until another step is asked for, instead of once per part.
    private (long Step, Tensor Images, Tensor Labels)? _lastBatch;

    private (Tensor Images, Tensor Labels) WholeBatch(long step)
    {
        if (_lastBatch is { } last && last.Step == step) return (last.Images, last.Labels);
        if (_lastBatch is { } stale)
        {
            stale.Images.Dispose();
            stale.Labels.Dispose();
        }
        var (images, labels) = At(step);
        _lastBatch = (step, images.DetachFromDisposeScope(), labels.DetachFromDisposeScope());
        return (images, labels);
    }
}

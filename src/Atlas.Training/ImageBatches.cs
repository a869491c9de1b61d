using Atlas.Data;
using static TorchSharp.torch;

namespace Atlas.Training;

/// <summary>
/// Training batches of one labelled image set as a pure function of the step: shuffled indices from the seeded batch
/// schedule, then a random resized crop whose generator is seeded by (seed, step). A resumed loop therefore sees exactly
/// the batches an uninterrupted one would. Without a crop scale the images are taken as they are (unlabelled test-time
/// objectives); with a flip probability the cropped images are also mirrored at random (the paper's few-shot
/// augmentation). <paramref name="sampling"/> chooses between passes over the set (training) and a fresh shuffle at every
/// step (AdaMerging's loader).
/// </summary>
public sealed class ImageBatches(
    Tensor images, Tensor labels, int batchSize, (double Min, double Max)? cropScale, long seed, double flipProbability = 0,
    BatchSampling sampling = BatchSampling.Passes)
{
    private readonly BatchSchedule _schedule = new((int)images.shape[0], batchSize, unchecked((ulong)seed));
    private readonly RandomResizedCrop? _crop = cropScale is { } scale ? new(scale.Min, scale.Max) : null;
    private readonly RandomHorizontalFlip? _flip = flipProbability > 0 ? new(flipProbability) : null;

    /// <summary>Augmented images [B, C, H, W] in [0, 1] and their labels for one step.</summary>
    public (Tensor Images, Tensor Labels) At(long step)
    {
        using var scope = NewDisposeScope();
        var index = tensor(_schedule.At(step, sampling).Select(i => (long)i).ToArray());
        var selected = images.index_select(0, index);
        if (_crop is not null)
        {
            using var generator = new Generator(unchecked((ulong)(seed * 1_000_003 + step)));
            selected = _crop.Apply(selected, generator);
            if (_flip is not null) selected = _flip.Apply(selected, generator);
        }
        return (selected.MoveToOuterDisposeScope(), labels.index_select(0, index).MoveToOuterDisposeScope());
    }

    /// <summary>Micro-batch <paramref name="micro"/> of <paramref name="microBatches"/> equal parts of step
    /// <paramref name="step"/>'s batch (in order), for gradient accumulation: the parts together are exactly
    /// <see cref="At(long)"/>, since the whole batch is drawn and augmented before it is cut.</summary>
    public (Tensor Images, Tensor Labels) At(long step, int micro, int microBatches)
    {
        if (microBatches < 1 || batchSize % microBatches != 0 || micro < 0 || micro >= microBatches)
            throw new ArgumentException($"micro-batch {micro} of {microBatches}: the batch of {batchSize} must split into {microBatches} equal parts");
        if (microBatches == 1) return At(step);
        using var scope = NewDisposeScope();
        var (images, labels) = At(step);
        long size = images.shape[0] / microBatches;
        return (images.narrow(0, micro * size, size).MoveToOuterDisposeScope(), labels.narrow(0, micro * size, size).MoveToOuterDisposeScope());
    }
}

using static TorchSharp.torch;

namespace Atlas.Data;

/// <summary>
/// The images and labels of one task partition held in memory (the mini profile's 28 × 28 images), ready for a
/// model. Owns both tensors.
/// </summary>
public sealed class TaskView : ILabelledImageSet
{
    /// <summary>Wraps <paramref name="images"/> [n, 1, 28, 28] and int64 <paramref name="labels"/> [n].</summary>
    public TaskView(Tensor images, Tensor labels)
    {
        if (labels.ndim != 1 || images.ndim != 4 || images.shape[0] != labels.shape[0] || labels.dtype != ScalarType.Int64)
        {
            throw new ArgumentException(
                $"A task view needs images [n, C, H, W] and int64 labels [n]; got images [{string.Join(", ", images.shape)}], " +
                $"labels {labels.dtype} [{string.Join(", ", labels.shape)}].");
        }
        Images = images;
        Labels = labels;
    }

    /// <summary>Images, float32 [n, 1, 28, 28].</summary>
    public Tensor Images { get; }

    /// <summary>Task class of each image, int64 [n].</summary>
    public Tensor Labels { get; }

    /// <summary>Number of images.</summary>
    public int Count => (int)Labels.shape[0];

    /// <inheritdoc />
    public Tensor LoadRange(long start, long length) => Images.narrow(0, start, length);

    /// <inheritdoc />
    /// <remarks>The whole batch's crops come from one generator seeded by (seed, step) and are applied to the tensor
    /// (<see cref="RandomResizedCrop"/>: bilinear resampling of the already small image), then the mirrors from the same
    /// generator.</remarks>
    public Tensor LoadBatch(long[] indices, BatchAugmentation? augmentation, long seed, long step)
    {
        using var scope = NewDisposeScope();
        var selected = Images.index_select(0, tensor(indices));
        if (augmentation is { } augment)
        {
            using var generator = new Generator(unchecked((ulong)(seed * 1_000_003 + step)));
            selected = new RandomResizedCrop(augment.ScaleMin, augment.ScaleMax).Apply(selected, generator);
            if (augment.FlipProbability > 0) selected = new RandomHorizontalFlip(augment.FlipProbability).Apply(selected, generator);
        }
        return selected.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public ILabelledImageSet Subset(long[] indices)
    {
        using var scope = NewDisposeScope();
        var index = tensor(indices);
        var images = Images.index_select(0, index).MoveToOuterDisposeScope();
        return new TaskView(images, Labels.index_select(0, index).MoveToOuterDisposeScope());
    }

    /// <inheritdoc />
    public ILabelledImageSet DetachFromDisposeScope()
    {
        Images.DetachFromDisposeScope();
        Labels.DetachFromDisposeScope();
        return this;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}

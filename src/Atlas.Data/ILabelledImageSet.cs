using static TorchSharp.torch;

namespace Atlas.Data;

/// <summary>
/// The labelled images of one task partition, as every stage reads them: the mini profile's images held in one tensor
/// (<see cref="TaskView"/>) or the paper's datasets decoded from files on demand (<see cref="FileImageSet"/>). Images
/// come out as float32 [B, C, S, S] in [0, 1] at the model's input size; the backbone's mean/std normalisation is the
/// model's preprocessing, applied after (<c>Preprocessing.Normalize</c>), the same for both.
/// </summary>
public interface ILabelledImageSet : IDisposable
{
    /// <summary>Number of images.</summary>
    int Count { get; }

    /// <summary>Task class of each image, int64 [n] (always held in memory: 8 bytes an image).</summary>
    Tensor Labels { get; }

    /// <summary>Images <paramref name="start"/> … <paramref name="start"/> + <paramref name="length"/> − 1, without
    /// augmentation (evaluation, feature caches); the caller disposes the result.</summary>
    Tensor LoadRange(long start, long length);

    /// <summary>The images at <paramref name="indices"/>, in that order, augmented as <paramref name="augmentation"/>
    /// says (none: as <see cref="LoadRange"/>). The draws are a pure function of (<paramref name="seed"/>,
    /// <paramref name="step"/>) and the indices, so a resumed loop sees the batches an uninterrupted one would.</summary>
    Tensor LoadBatch(long[] indices, BatchAugmentation? augmentation, long seed, long step);

    /// <summary>A new set of the images at <paramref name="indices"/> (labels follow); the caller disposes it.</summary>
    ILabelledImageSet Subset(long[] indices);

    /// <summary>Takes the set's tensors out of the current dispose scope (a set cached beyond the scope that made it);
    /// returns the set.</summary>
    ILabelledImageSet DetachFromDisposeScope();
}

using Atlas.Data.Datasets;
using Atlas.Data.Images;
using static TorchSharp.torch;

namespace Atlas.Data;

/// <summary>
/// The images of a paper dataset's partition, decoded from their files (or a reader's in-memory arrays) when a batch is
/// asked for: CLIP's evaluation transform (resize the short side, centre crop) unaugmented, the paper's random resized
/// crop (and mirror) for training, on <c>workers</c> decoding threads (<see cref="ImageBatchLoader"/>). Nothing is
/// held but the sample list and the labels, so a set is as large as the dataset on disk, not its decoded pixels (SUN397's
/// test split alone would be 12 GiB as float32 224 × 224 images). Pixels come out in [0, 1] (ToTensor); the backbone's
/// mean/std is applied by the model's preprocessing, as for <see cref="TaskView"/>. Each sample's augmentation draws
/// from <see cref="SampleRandom"/> (seed, step, its index in this set), so batches do not depend on the worker count.
/// </summary>
public sealed class FileImageSet : ILabelledImageSet
{
    // ToTensor alone: (b / 255 − 0) / 1 is b / 255 exactly, so normalising afterwards gives torchvision's values.
    private static readonly ChannelNormalization UnitScale = new([0, 0, 0], [1, 1, 1]);

    private readonly IReadOnlyList<LabelledImage> _samples;
    private readonly long[] _labels;
    private readonly int _imageSize;
    private readonly string _transform;
    private readonly int _workers;
    private readonly ClipEvalTransform _evaluation;

    /// <summary>The <paramref name="samples"/> with task labels <paramref name="labels"/> (one each), at
    /// <paramref name="imageSize"/> × <paramref name="imageSize"/>, changed by the task's <paramref name="transform"/>
    /// (<see cref="TaskViewBuilder.ValidTransforms"/>) after loading.</summary>
    public FileImageSet(IReadOnlyList<LabelledImage> samples, IReadOnlyList<long> labels, int imageSize, string transform, int workers)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count != samples.Count)
            throw new ArgumentException($"{samples.Count} samples but {labels.Count} labels.", nameof(labels));
        if (samples.Count == 0) throw new ArgumentException("An image set needs at least one sample.", nameof(samples));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workers);
        TaskViewBuilder.RequireKnownTransform(transform);
        _samples = samples;
        _labels = [.. labels];
        _imageSize = imageSize;
        _transform = transform;
        _workers = workers;
        _evaluation = new ClipEvalTransform(imageSize, UnitScale);
        Labels = tensor(_labels);
    }

    /// <inheritdoc />
    public int Count => _samples.Count;

    /// <inheritdoc />
    public Tensor Labels { get; }

    /// <summary>The samples, in set order (a sample's index here is its position in <see cref="Labels"/>).</summary>
    public IReadOnlyList<LabelledImage> Samples => _samples;

    /// <inheritdoc />
    public Tensor LoadRange(long start, long length)
    {
        if (start < 0 || length < 1 || start + length > Count)
            throw new ArgumentOutOfRangeException(nameof(length), $"Images {start} … {start + length - 1} are outside the set's {Count}.");
        return Load([.. Enumerable.Range((int)start, (int)length)], _evaluation, seed: 0, epoch: 0);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A mirror probability other than 0 or the paper's 0.5 (the file path draws
    /// the mirror as torchvision's <c>RandomHorizontalFlip(p=0.5)</c> does).</exception>
    public Tensor LoadBatch(long[] indices, BatchAugmentation? augmentation, long seed, long step)
    {
        IImageTransform transform = augmentation is { } augment
            ? new ClipTrainTransform(_imageSize, augment.ScaleMin, augment.ScaleMax, Mirrors(augment.FlipProbability), UnitScale)
            : _evaluation;
        return Load([.. indices.Select(i => checked((int)i))], transform, unchecked((ulong)seed), checked((int)step));
    }

    /// <inheritdoc />
    public ILabelledImageSet Subset(long[] indices) =>
        new FileImageSet([.. indices.Select(i => _samples[checked((int)i)])], [.. indices.Select(i => _labels[i])], _imageSize, _transform, _workers);

    /// <inheritdoc />
    public ILabelledImageSet DetachFromDisposeScope()
    {
        Labels.DetachFromDisposeScope();
        return this;
    }

    /// <inheritdoc />
    public void Dispose() => Labels.Dispose();

    private Tensor Load(int[] order, IImageTransform transform, ulong seed, int epoch)
    {
        var loader = new ImageBatchLoader(_samples, transform, new ImageLoaderOptions
        {
            BatchSize = order.Length,
            Workers = Math.Min(_workers, order.Length),
            PrefetchBatches = 1,
            Seed = seed,
        });
        Tensor pixels;
        using (var batch = loader.Batches(order, epoch).Single())
        {
            // The batch owns both tensors: keep a copy-free reference to the pixels past its disposal.
            pixels = batch.Pixels.alias();
        }
        if (_transform == TaskViewBuilder.None) return pixels;
        using (pixels) return TaskViewBuilder.ApplyTransform(pixels, _transform);
    }

    private static bool Mirrors(double probability) => probability switch
    {
        0 => false,
        ClipTrainTransform.FlipProbability => true,
        _ => throw new ArgumentException(
            $"Images read from files mirror with probability 0 or {ClipTrainTransform.FlipProbability} (torchvision's RandomHorizontalFlip), not {probability}."),
    };
}

using Atlas.Data.Datasets;
using static TorchSharp.torch;

namespace Atlas.Data.Images;

/// <summary>
/// open_clip 2.10's eval transform, the paper's <c>val_preprocess</c>: torchvision <c>Resize(S, BICUBIC)</c> (shorter
/// side to S, the longer side <c>int(S · long / short)</c>, i.e. truncated — torchvision 0.14's
/// <c>_compute_resized_output_size</c>), Pillow's antialiased bicubic (<see cref="PillowResampler"/>),
/// <c>CenterCrop(S)</c> with its corner at <c>int(round((side − S) / 2))</c> (Python's round, half to even), then
/// <c>ToTensor</c> and <c>Normalize</c> (<see cref="ChannelNormalization"/>). Images arrive as RGB already
/// (<see cref="ImageDecoder"/>, as torchvision's loader converts at load time).
/// </summary>
public sealed class ClipEvalTransform : IImageTransform
{
    /// <summary>A transform to <paramref name="imageSize"/> × <paramref name="imageSize"/> (the backbone's image size).</summary>
    public ClipEvalTransform(int imageSize, ChannelNormalization normalization)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageSize);
        OutputSize = imageSize;
        Normalization = normalization ?? throw new ArgumentNullException(nameof(normalization));
    }

    /// <inheritdoc/>
    public int OutputSize { get; }

    /// <summary>The mean/std applied last.</summary>
    public ChannelNormalization Normalization { get; }

    /// <summary>
    /// torchvision's size for <c>Resize(size)</c> with an int: the shorter side becomes <paramref name="size"/>, the
    /// longer <c>int(size · long / short)</c> (truncated); a square stays square.
    /// </summary>
    public static (int Width, int Height) ResizedSize(int width, int height, int size)
    {
        (int shorter, int longer) = width <= height ? (width, height) : (height, width);
        // size·long is an exact integer and the quotient is correctly rounded in double, as Python's true division.
        int newLonger = (int)((double)((long)size * longer) / shorter);
        return width <= height ? (size, newLonger) : (newLonger, size);
    }

    /// <summary>The resized and centre-cropped S × S image, before normalisation.</summary>
    public RgbImage ResizeAndCrop(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        (int width, int height) = ResizedSize(image.Width, image.Height, OutputSize);
        RgbImage resized = width == image.Width && height == image.Height
            ? image
            : PillowResampler.Resize(image, width, height, ResampleFilter.Bicubic);
        int top = (int)Math.Round((height - OutputSize) / 2.0);
        int left = (int)Math.Round((width - OutputSize) / 2.0);
        return top == 0 && left == 0 && width == OutputSize && height == OutputSize
            ? resized
            : ImageGeometry.Crop(resized, left, top, left + OutputSize, top + OutputSize);
    }

    /// <inheritdoc/>
    public void Apply(RgbImage image, IAugmentationRandom random, Span<float> destination) =>
        Normalization.WriteChannelsFirst(ResizeAndCrop(image), destination);

    /// <summary>
    /// The CLIP-preprocessed pixels of image files, float32 [N, 3, S, S] in the order given (what <c>atlas embed
    /// --images</c> feeds the vision tower), decoded on <paramref name="workers"/> threads (0: one per core).
    /// </summary>
    /// <exception cref="ImageDecodeException">A file is missing, truncated or not an image; the message names it.</exception>
    public static Tensor PixelValues(IReadOnlyList<string> paths, int imageSize, IReadOnlyList<double> mean, IReadOnlyList<double> std, int workers = 0)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0)
        {
            throw new ArgumentException("PixelValues needs at least one image path.", nameof(paths));
        }
        var transform = new ClipEvalTransform(imageSize, new ChannelNormalization(mean, std));
        var samples = paths.Select(path => new LabelledImage(new ImageFile(path), 0)).ToArray();
        var loader = new ImageBatchLoader(samples, transform, new ImageLoaderOptions
        {
            BatchSize = Math.Min(64, samples.Length),
            Workers = workers > 0 ? workers : Environment.ProcessorCount,
        });
        var parts = new List<Tensor>();
        try
        {
            foreach (ImageBatch batch in loader.Batches(Enumerable.Range(0, samples.Length).ToArray(), epoch: 0))
            {
                parts.Add(batch.Pixels);
                batch.Labels.Dispose();
            }
            return parts.Count == 1 ? parts[0] : cat(parts, dim: 0);
        }
        finally
        {
            if (parts.Count > 1)
            {
                foreach (Tensor part in parts)
                {
                    part.Dispose();
                }
            }
        }
    }
}

namespace Atlas.Data.Images;

/// <summary>
/// A <see cref="TrainAugmentation"/> applied as torchvision applies it to a PIL image: crop parameters from
/// <see cref="RandomResizedCropParameters"/>, <c>crop</c> then <c>resize((S, S), BICUBIC)</c> (the crop is cut
/// first, so the kernel never reads pixels outside it), then for <see cref="TrainAugmentation.TipResizedCropFlip"/> a
/// mirror when <c>torch.rand(1) &lt; 0.5</c>, then <see cref="ChannelNormalization"/>. Draw order per sample: the
/// crop's draws, then the flip's.
/// </summary>
public sealed class ClipTrainTransform : IImageTransform
{
    /// <summary>Aspect-ratio range of both recipes (torchvision's default).</summary>
    public const double RatioMin = 3.0 / 4.0, RatioMax = 4.0 / 3.0;

    /// <summary>Probability of the mirror in <see cref="TrainAugmentation.TipResizedCropFlip"/>.</summary>
    public const double FlipProbability = 0.5;

    /// <summary>The augmentation <paramref name="recipe"/> at <paramref name="imageSize"/> × <paramref name="imageSize"/>.</summary>
    public ClipTrainTransform(int imageSize, TrainAugmentation recipe, ChannelNormalization normalization)
        : this(imageSize, recipe switch
        {
            TrainAugmentation.OpenClipResizedCrop => (0.9, 1.0, false),
            TrainAugmentation.TipResizedCropFlip => (0.5, 1.0, true),
            _ => throw new ArgumentOutOfRangeException(nameof(recipe), recipe, "Unknown training augmentation."),
        }, normalization) =>
        Recipe = recipe;

    /// <summary>A crop over <paramref name="scaleMin"/>–<paramref name="scaleMax"/> of the area, mirrored with probability
    /// <see cref="FlipProbability"/> when <paramref name="flips"/>: the recipes a spec's <c>crop_scale</c> can name besides
    /// the paper's two.</summary>
    public ClipTrainTransform(int imageSize, double scaleMin, double scaleMax, bool flips, ChannelNormalization normalization)
        : this(imageSize, (scaleMin, scaleMax, flips), normalization)
    {
    }

    private ClipTrainTransform(int imageSize, (double Min, double Max, bool Flips) crop, ChannelNormalization normalization)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageSize);
        if (!(crop.Min > 0 && crop.Min <= crop.Max && crop.Max <= 1))
            throw new ArgumentException($"Crop scale range must satisfy 0 < min ≤ max ≤ 1, got ({crop.Min}, {crop.Max}).");
        (ScaleMin, ScaleMax, Flips) = crop;
        OutputSize = imageSize;
        Normalization = normalization ?? throw new ArgumentNullException(nameof(normalization));
    }

    /// <inheritdoc/>
    public int OutputSize { get; }

    /// <summary>Which of the paper's augmentations this is; null for another crop range.</summary>
    public TrainAugmentation? Recipe { get; }

    /// <summary>Smallest crop area as a fraction of the image.</summary>
    public double ScaleMin { get; }

    /// <summary>Largest crop area as a fraction of the image.</summary>
    public double ScaleMax { get; }

    /// <summary>Whether a random horizontal flip follows the crop.</summary>
    public bool Flips { get; }

    /// <summary>The mean/std applied last.</summary>
    public ChannelNormalization Normalization { get; }

    /// <summary>The augmented S × S image before normalisation, drawing from <paramref name="random"/>.</summary>
    public RgbImage Augment(RgbImage image, IAugmentationRandom random)
    {
        ArgumentNullException.ThrowIfNull(image);
        CropRegion crop = RandomResizedCropParameters.Draw(image.Width, image.Height, ScaleMin, ScaleMax, RatioMin, RatioMax, random);
        bool flip = Flips && random.NextUnit() < FlipProbability;
        return ResizedCrop(image, crop, OutputSize, flip);
    }

    /// <summary>torchvision's <c>resized_crop</c> on a PIL image with a fixed <paramref name="crop"/>, optionally mirrored.</summary>
    public static RgbImage ResizedCrop(RgbImage image, CropRegion crop, int size, bool flip)
    {
        RgbImage cut = ImageGeometry.Crop(image, crop.Left, crop.Top, crop.Left + crop.Width, crop.Top + crop.Height);
        RgbImage resized = PillowResampler.Resize(cut, size, size, ResampleFilter.Bicubic);
        return flip ? ImageGeometry.FlipHorizontal(resized) : resized;
    }

    /// <inheritdoc/>
    public void Apply(RgbImage image, IAugmentationRandom random, Span<float> destination) =>
        Normalization.WriteChannelsFirst(Augment(image, random), destination);
}

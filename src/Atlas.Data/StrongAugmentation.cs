using static TorchSharp.torch;

namespace Atlas.Data;

/// <summary>
/// The reference's "TIP-style" strong augmentation for few-shot, PEFT and test-time training (docs/method.md §M4.3, §M7 trap 14):
/// <see cref="RandomResizedCrop"/> with scale 0.5–1 (ratio 3/4–4/3), then <see cref="RandomHorizontalFlip"/> with
/// probability 0.5, on a batch [B, C, H, W]. The reference resamples bicubically; the crop here is bilinear.
/// </summary>
public sealed class StrongAugmentation
{
    /// <summary>Smallest crop area of the reference (a fraction of the image area).</summary>
    public const double PaperScaleMin = 0.5;

    /// <summary>Flip probability of the reference.</summary>
    public const double PaperFlipProbability = 0.5;

    /// <summary>The reference's augmentation: crop scale [0.5, 1], flip probability 0.5.</summary>
    public StrongAugmentation()
        : this(new RandomResizedCrop(PaperScaleMin, 1.0), new RandomHorizontalFlip(PaperFlipProbability))
    {
    }

    /// <summary>Crop with <paramref name="crop"/>, then flip with <paramref name="flip"/>.</summary>
    public StrongAugmentation(RandomResizedCrop crop, RandomHorizontalFlip flip)
    {
        ArgumentNullException.ThrowIfNull(crop);
        ArgumentNullException.ThrowIfNull(flip);
        Crop = crop;
        Flip = flip;
    }

    /// <summary>The crop, applied first.</summary>
    public RandomResizedCrop Crop { get; }

    /// <summary>The flip, applied to the cropped images.</summary>
    public RandomHorizontalFlip Flip { get; }

    /// <summary>
    /// A CPU generator for the batch at <paramref name="step"/> of a run seeded with <paramref name="seed"/>: seeded with
    /// <see cref="DeterministicRng.DeriveSeed"/>(seed, step), so any step's augmentation is reproducible on its own
    /// (a resumed run draws what an uninterrupted one would).
    /// </summary>
    public static Generator GeneratorFor(ulong seed, long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return new Generator(DeterministicRng.DeriveSeed(seed, (ulong)step));
    }

    /// <summary>
    /// Crops and flips each image of <paramref name="images"/> [B, C, H, W]; same shape, device and dtype. The crop
    /// draws first, then the flip, both from <paramref name="generator"/> (a CPU generator; the draws are moved to the
    /// images' device), so the same generator state gives the same output.
    /// </summary>
    public Tensor Apply(Tensor images, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(generator);
        if (images.ndim != 4)
        {
            throw new ArgumentException($"StrongAugmentation expects images [B, C, H, W], got [{string.Join(", ", images.shape)}].", nameof(images));
        }
        using var scope = NewDisposeScope();
        Tensor cropped = Crop.Apply(images, generator);
        return Flip.Apply(cropped, generator).MoveToOuterDisposeScope();
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Data;

/// <summary>Mirrors each image of a batch [B, C, H, W] left–right with probability <see cref="Probability"/>.</summary>
public sealed class RandomHorizontalFlip
{
    /// <summary>Flips each image with probability <paramref name="probability"/> in [0, 1].</summary>
    public RandomHorizontalFlip(double probability)
    {
        if (probability is < 0 or > 1 || double.IsNaN(probability))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), $"Flip probability must be in [0, 1], got {probability}.");
        }
        Probability = probability;
    }

    /// <summary>Chance that a given image is flipped.</summary>
    public double Probability { get; }

    /// <summary>Flips a random subset of <paramref name="images"/>, drawn from <paramref name="generator"/>.</summary>
    public Tensor Apply(Tensor images, Generator generator)
    {
        if (images.ndim != 4)
        {
            throw new ArgumentException($"RandomHorizontalFlip expects images [B, C, H, W], got [{string.Join(", ", images.shape)}].", nameof(images));
        }
        using var scope = NewDisposeScope();
        using Scalar probability = Probability.ToScalar();
        Tensor flip = (rand([images.shape[0]], ScalarType.Float64, generator: generator) < probability)
            .view(-1, 1, 1, 1)
            .to(images.device);
        return where(flip, images.flip(3), images).MoveToOuterDisposeScope();
    }
}

using static TorchSharp.torch;

namespace Atlas.Data;

/// <summary>Per-channel standardisation of image batches, as the encoder's preprocessing expects.</summary>
public static class ImageNormalization
{
    /// <summary>(x − mean[c]) / std[c] for each channel c of <paramref name="images"/> [B, C, H, W].</summary>
    /// <exception cref="ArgumentException">The statistics do not have one value per channel, or a std is not positive.</exception>
    public static Tensor Normalize(Tensor images, IReadOnlyList<double> mean, IReadOnlyList<double> std)
    {
        if (images.ndim != 4)
        {
            throw new ArgumentException($"Normalize expects images [B, C, H, W], got [{string.Join(", ", images.shape)}].", nameof(images));
        }
        long channels = images.shape[1];
        if (mean.Count != channels || std.Count != channels)
        {
            throw new ArgumentException(
                $"Normalize needs one mean and one std per channel ({channels}), got {mean.Count} means and {std.Count} stds.");
        }
        if (std.Any(value => !(value > 0)))
        {
            throw new ArgumentException($"Normalize needs positive stds, got [{string.Join(", ", std)}].", nameof(std));
        }
        using var scope = NewDisposeScope();
        Tensor meanTensor = tensor(mean.ToArray(), dtype: images.dtype, device: images.device).view(1, -1, 1, 1);
        Tensor stdTensor = tensor(std.ToArray(), dtype: images.dtype, device: images.device).view(1, -1, 1, 1);
        return ((images - meanTensor) / stdTensor).MoveToOuterDisposeScope();
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Data;

/// <summary>
/// Inception-style random resized crop over a batch [B, C, H, W]: per image, a crop of random area and aspect ratio at a
/// random position, resampled bilinearly back to H×W. One affine_grid + grid_sample call does the whole batch.
/// </summary>
public sealed class RandomResizedCrop
{
    /// <summary>
    /// Crops covering a fraction of the image area drawn uniformly from [<paramref name="scaleMin"/>, <paramref name="scaleMax"/>],
    /// with width/height ratio log-uniform in [<paramref name="ratioMin"/>, <paramref name="ratioMax"/>] (torchvision's defaults
    /// are scale (0.08, 1) and ratio (3/4, 4/3)).
    /// </summary>
    public RandomResizedCrop(double scaleMin, double scaleMax, double ratioMin = 3.0 / 4.0, double ratioMax = 4.0 / 3.0)
    {
        if (!(scaleMin > 0 && scaleMin <= scaleMax && scaleMax <= 1))
        {
            throw new ArgumentException($"Crop scale range must satisfy 0 < min ≤ max ≤ 1, got ({scaleMin}, {scaleMax}).");
        }
        if (!(ratioMin > 0 && ratioMin <= ratioMax))
        {
            throw new ArgumentException($"Crop ratio range must satisfy 0 < min ≤ max, got ({ratioMin}, {ratioMax}).");
        }
        ScaleMin = scaleMin;
        ScaleMax = scaleMax;
        RatioMin = ratioMin;
        RatioMax = ratioMax;
    }

    /// <summary>Smallest crop area, as a fraction of the image area.</summary>
    public double ScaleMin { get; }

    /// <summary>Largest crop area, as a fraction of the image area.</summary>
    public double ScaleMax { get; }

    /// <summary>Smallest width/height ratio.</summary>
    public double RatioMin { get; }

    /// <summary>Largest width/height ratio.</summary>
    public double RatioMax { get; }

    /// <summary>
    /// Crops each image of <paramref name="images"/> [B, C, H, W] and resizes it back to H×W. All randomness comes from
    /// <paramref name="generator"/>, so the same generator state gives the same crops.
    /// </summary>
    public Tensor Apply(Tensor images, Generator generator)
    {
        if (images.ndim != 4)
        {
            throw new ArgumentException($"RandomResizedCrop expects images [B, C, H, W], got [{string.Join(", ", images.shape)}].", nameof(images));
        }
        using var scope = NewDisposeScope();
        long batch = images.shape[0];
        double height = images.shape[2];
        double width = images.shape[3];
        // Drawn on the CPU with the caller's CPU generator, then moved: the crops do not depend on the images' device.
        Tensor draws = rand([batch, 4], ScalarType.Float64, generator: generator);
        // Affine maps of the uniform draws: the area uniform in [ScaleMin, ScaleMax], the log ratio uniform in
        // [log RatioMin, log RatioMax], the centre uniform in [-1, 1].
        using Scalar scaleMin = ScaleMin.ToScalar(), scaleSpan = (ScaleMax - ScaleMin).ToScalar();
        using Scalar logRatioMin = Math.Log(RatioMin).ToScalar(), logRatioSpan = (Math.Log(RatioMax) - Math.Log(RatioMin)).ToScalar();
        using Scalar one = 1.0.ToScalar(), two = 2.0.ToScalar();
        using Scalar heightOverWidth = (height / width).ToScalar(), widthOverHeight = (width / height).ToScalar();
        Tensor area = draws[.., 0].mul(scaleSpan).add_(scaleMin, one);
        Tensor ratio = draws[.., 1].mul(logRatioSpan).add_(logRatioMin, one).exp_();
        // Crop side as a fraction of the image side. torchvision re-draws crops that do not fit and finally falls back
        // to a centre crop; clamping to the full side keeps one vectorised draw per image instead.
        Tensor cropWidth = sqrt(area * ratio * heightOverWidth).clamp_max(one);
        Tensor cropHeight = sqrt(area / ratio * widthOverHeight).clamp_max(one);
        // Crop centre in normalised [-1, 1] coordinates, anywhere the crop stays inside the image.
        // 1 − side as −side + 1 with an explicit alpha: TorchSharp's `Scalar − Tensor` and one-argument `add` pass a
        // hidden alpha Scalar that nothing keeps alive across the native call (the race BannedSymbols.txt describes);
        // the sum is the same floating-point operation.
        Tensor centreX = cropWidth.neg().add_(one, one) * draws[.., 2].mul(two).sub_(one);
        Tensor centreY = cropHeight.neg().add_(one, one) * draws[.., 3].mul(two).sub_(one);
        Tensor zero = zeros_like(cropWidth);
        Tensor theta = stack([cropWidth, zero, centreX, zero, cropHeight, centreY], dim: 1)
            .reshape(batch, 2, 3)
            .to(images.dtype, images.device);
        // align_corners=false maps output pixel centres onto input pixel centres, so a full-size crop is the identity.
        Tensor grid = nn.functional.affine_grid(theta, images.shape, align_corners: false);
        return nn.functional.grid_sample(images, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false)
            .MoveToOuterDisposeScope();
    }
}

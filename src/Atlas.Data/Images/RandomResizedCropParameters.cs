namespace Atlas.Data.Images;

/// <summary>
/// torchvision's <c>RandomResizedCrop.get_params</c> (0.14, the version of open_clip 2.10's era), step for step: up to
/// ten tries of an area fraction uniform in [scale min, scale max] and a log-uniform aspect ratio, the side lengths
/// rounded half to even as Python's <c>round</c>, accepted when the crop fits, then a uniformly placed corner; if no try
/// fits, the centre crop of the whole image with its aspect ratio clamped to the ratio range.
/// </summary>
public static class RandomResizedCropParameters
{
    /// <summary>How many random crops are tried before the centre-crop fallback (torchvision's 10).</summary>
    public const int Tries = 10;

    /// <summary>Draws a crop of a <paramref name="width"/> × <paramref name="height"/> image.</summary>
    public static CropRegion Draw(int width, int height, double scaleMin, double scaleMax, double ratioMin, double ratioMax, IAugmentationRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (width <= 0 || height <= 0)
        {
            throw new ArgumentException($"RandomResizedCrop needs a non-empty image, got {width}×{height}.");
        }
        if (!(scaleMin <= scaleMax) || !(ratioMin <= ratioMax) || !(ratioMin > 0))
        {
            throw new ArgumentException($"RandomResizedCrop needs scale and ratio ranges (min ≤ max, ratio > 0), got scale ({scaleMin}, {scaleMax}), ratio ({ratioMin}, {ratioMax}).");
        }
        double area = (double)height * width;
        double logRatioMin = Math.Log(ratioMin), logRatioMax = Math.Log(ratioMax);
        for (int attempt = 0; attempt < Tries; attempt++)
        {
            double targetArea = area * Uniform(random, scaleMin, scaleMax);
            double aspectRatio = Math.Exp(Uniform(random, logRatioMin, logRatioMax));
            // Python's round: half to even, which is Math.Round's default.
            int w = (int)Math.Round(Math.Sqrt(targetArea * aspectRatio));
            int h = (int)Math.Round(Math.Sqrt(targetArea / aspectRatio));
            if (0 < w && w <= width && 0 < h && h <= height)
            {
                // torch.randint(0, n + 1): top first, then left.
                int top = random.NextInt(height - h + 1);
                int left = random.NextInt(width - w + 1);
                return new CropRegion(top, left, h, w);
            }
        }
        double inputRatio = (double)width / height;
        int cropWidth, cropHeight;
        if (inputRatio < ratioMin)
        {
            cropWidth = width;
            cropHeight = (int)Math.Round(cropWidth / ratioMin);
        }
        else if (inputRatio > ratioMax)
        {
            cropHeight = height;
            cropWidth = (int)Math.Round(cropHeight * ratioMax);
        }
        else
        {
            cropWidth = width;
            cropHeight = height;
        }
        return new CropRegion((height - cropHeight) / 2, (width - cropWidth) / 2, cropHeight, cropWidth);
    }

    // torch's uniform_(a, b): a + (b − a)·u.
    private static double Uniform(IAugmentationRandom random, double low, double high) => low + (high - low) * random.NextUnit();
}

namespace Atlas.Data.Images;

/// <summary>
/// torchvision's <c>ToTensor</c> then <c>Normalize(mean, std)</c> on an RGB image: each byte b becomes
/// (b / 255 − mean[c]) / std[c] in single precision, in the same operation order as torch's float32 kernels, written
/// channel-major (C, H, W). The statistics are the backbone's (Atlas.Models' <c>ImagePreprocess.OpenAiClip</c> for
/// every paper backbone); Atlas.Data takes them as values so it does not depend on the model layer.
/// </summary>
public sealed class ChannelNormalization
{
    private readonly float[] _mean;
    private readonly float[] _std;

    /// <summary>Three means and three positive standard deviations, R, G, B.</summary>
    /// <exception cref="ArgumentException">Not three values each, or a std that is not positive.</exception>
    public ChannelNormalization(IReadOnlyList<double> mean, IReadOnlyList<double> std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Count != 3 || std.Count != 3)
        {
            throw new ArgumentException($"RGB normalisation needs 3 means and 3 stds, got {mean.Count} and {std.Count}.");
        }
        if (std.Any(value => !(value > 0)))
        {
            throw new ArgumentException($"RGB normalisation needs positive stds, got [{string.Join(", ", std)}].", nameof(std));
        }
        // torch holds Normalize's mean and std as float32 tensors: the doubles are rounded to float first.
        _mean = mean.Select(value => (float)value).ToArray();
        _std = std.Select(value => (float)value).ToArray();
        Mean = mean.ToArray();
        Std = std.ToArray();
    }

    /// <summary>The per-channel means as given.</summary>
    public IReadOnlyList<double> Mean { get; }

    /// <summary>The per-channel standard deviations as given.</summary>
    public IReadOnlyList<double> Std { get; }

    /// <summary>
    /// Writes <paramref name="image"/> normalised into <paramref name="destination"/>, laid out [3, height, width]; the
    /// span must hold exactly 3 × width × height values.
    /// </summary>
    public void WriteChannelsFirst(RgbImage image, Span<float> destination)
    {
        int plane = image.Width * image.Height;
        if (destination.Length != 3 * plane)
        {
            throw new ArgumentException($"A {image.Width}×{image.Height} RGB image fills {3 * plane} values, the destination holds {destination.Length}.", nameof(destination));
        }
        byte[] pixels = image.Pixels;
        for (int c = 0; c < 3; c++)
        {
            float mean = _mean[c], std = _std[c];
            Span<float> channel = destination.Slice(c * plane, plane);
            for (int i = 0; i < plane; i++)
            {
                // ToTensor divides by 255 in float32; Normalize subtracts then divides (not a multiply by 1/std).
                float unit = pixels[3 * i + c] / 255f;
                channel[i] = (unit - mean) / std;
            }
        }
    }
}

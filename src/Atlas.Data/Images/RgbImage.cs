namespace Atlas.Data.Images;

/// <summary>
/// A decoded 8-bit RGB image, rows top to bottom, pixels interleaved R, G, B (height × width × 3 bytes). Every paper
/// dataset's images become this before resampling, as CLIP's preprocessing converts every image to RGB first
/// (a grey-level pixel v becomes (v, v, v), as Pillow's <c>convert("RGB")</c> does).
/// </summary>
public sealed record RgbImage
{
    /// <summary>Wraps <paramref name="pixels"/> (not copied); its length must be <paramref name="width"/> × <paramref name="height"/> × 3.</summary>
    public RgbImage(int width, int height, byte[] pixels)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ArgumentException($"An image needs a positive size, got {width}×{height}.");
        }
        if (pixels.Length != checked(width * height * 3))
        {
            throw new ArgumentException($"A {width}×{height} RGB image holds {width * height * 3} bytes, got {pixels.Length}.", nameof(pixels));
        }
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Interleaved RGB bytes, row-major, <see cref="Width"/> × <see cref="Height"/> × 3.</summary>
    public byte[] Pixels { get; }

    /// <summary>An RGB image from one grey level per pixel (row-major), each level copied to R, G and B.</summary>
    public static RgbImage FromGrey(int width, int height, ReadOnlySpan<byte> levels)
    {
        if (levels.Length != checked(width * height))
        {
            throw new ArgumentException($"A {width}×{height} grey image holds {width * height} bytes, got {levels.Length}.", nameof(levels));
        }
        var pixels = new byte[levels.Length * 3];
        for (int i = 0; i < levels.Length; i++)
        {
            pixels[3 * i] = pixels[3 * i + 1] = pixels[3 * i + 2] = levels[i];
        }
        return new RgbImage(width, height, pixels);
    }
}

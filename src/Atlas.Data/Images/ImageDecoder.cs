using SkiaSharp;

namespace Atlas.Data.Images;

/// <summary>
/// Turns an <see cref="ImageRef"/> into the RGB pixels the paper's data loaders see: torchvision's <c>pil_loader</c>
/// opens the file with Pillow and calls <c>convert("RGB")</c>. JPEG and PNG go through SkiaSharp, whose libjpeg-turbo
/// decodes JPEG exactly as Pillow's does (chroma upsampling included); grey and palette images become RGB as Pillow
/// converts them, alpha is dropped without compositing (Pillow's RGBA → RGB), and — as Pillow's <c>open</c> — an EXIF
/// orientation tag is NOT applied and no colour profile is applied. Binary PPM/PGM (GTSRB) use <see cref="NetpbmReader"/>.
/// </summary>
/// <remarks>
/// Not pinned against Pillow: CMYK JPEGs and 16-bit PNGs (Pillow opens 16-bit grey as a 32-bit integer mode and clips
/// it to 0–255 when converting; Skia converts 16-bit samples its own way). The paper's datasets are 8-bit files.
/// </remarks>
public static class ImageDecoder
{
    /// <summary>Decodes (and for <see cref="ImageFileCrop"/>, crops) one image.</summary>
    /// <exception cref="ImageDecodeException">The file is missing, truncated, of an unknown format, or the crop is empty.</exception>
    public static RgbImage Decode(ImageRef image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return image switch
        {
            ImageFile file => DecodeFile(file.Path),
            ImageFileCrop crop => CropOf(crop),
            InMemoryImage memory => memory.Image,
            _ => throw new ArgumentException($"Unknown image reference {image.GetType().Name}.", nameof(image)),
        };
    }

    /// <summary>Decodes an encoded JPEG, PNG or binary PPM/PGM file.</summary>
    public static RgbImage DecodeFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new ImageDecodeException(path, $"cannot read the image file ({error.Message}).", error);
        }
        return DecodeBytes(bytes, path);
    }

    /// <summary>Decodes an encoded image held in memory; <paramref name="source"/> names it in errors.</summary>
    public static RgbImage DecodeBytes(byte[] bytes, string source)
    {
        if (bytes.Length == 0)
        {
            throw new ImageDecodeException(source, "the image file is empty.");
        }
        if (NetpbmReader.LooksLikeNetpbm(bytes))
        {
            return NetpbmReader.Decode(bytes, source);
        }
        return DecodeWithSkia(bytes, source);
    }

    private static RgbImage DecodeWithSkia(byte[] bytes, string source)
    {
        // The codec takes ownership of the stream wrapper (and disposes it with itself).
        using SKCodec? codec = SKCodec.Create(new SKMemoryStream(bytes), out SKCodecResult openResult);
        if (codec is null)
        {
            throw new ImageDecodeException(source, openResult == SKCodecResult.IncompleteInput
                ? "truncated image file (its header is incomplete)."
                : $"unknown or unsupported image format ({openResult}); expected JPEG, PNG or binary PPM/PGM.");
        }
        int width = codec.Info.Width;
        int height = codec.Info.Height;
        // Unpremultiplied RGBA without a colour space: the stored colour values, untouched by alpha or ICC profiles.
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        SKCodecResult result = codec.GetPixels(info, out byte[] rgba);
        if (result == SKCodecResult.IncompleteInput || result == SKCodecResult.ErrorInInput)
        {
            // Pillow refuses truncated files by default ("image file is truncated"); so does the pipeline.
            throw new ImageDecodeException(source, $"truncated or corrupt {codec.EncodedFormat} image ({result}).");
        }
        if (result != SKCodecResult.Success)
        {
            throw new ImageDecodeException(source, $"cannot decode the {codec.EncodedFormat} image ({result}).");
        }
        byte[] rgb = new byte[width * height * 3];
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            rgb[i] = rgba[j];
            rgb[i + 1] = rgba[j + 1];
            rgb[i + 2] = rgba[j + 2];
        }
        return new RgbImage(width, height, rgb);
    }

    private static RgbImage CropOf(ImageFileCrop crop)
    {
        RgbImage whole = DecodeFile(crop.Path);
        try
        {
            return ImageGeometry.Crop(whole, crop.Left, crop.Top, crop.Right, crop.Bottom);
        }
        catch (ArgumentException error)
        {
            throw new ImageDecodeException(ImageDecodeException.Describe(crop), error.Message, error);
        }
    }
}

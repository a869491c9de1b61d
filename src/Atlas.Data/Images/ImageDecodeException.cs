namespace Atlas.Data.Images;

/// <summary>
/// An image could not be read: missing, truncated, in an unknown format, or a crop outside what it can give. The message
/// names the source (the file path, or "an in-memory image"), so an error raised on a decoding thread still says which
/// sample of which dataset is broken when it reaches the training loop.
/// </summary>
public sealed class ImageDecodeException : Exception
{
    /// <summary>An error about <paramref name="source"/>; <paramref name="message"/> says what is wrong with it.</summary>
    public ImageDecodeException(string source, string message, Exception? inner = null)
        : base($"{source}: {message}", inner)
    {
        Source = source;
    }

    /// <summary>The file path (or description) of the image that failed.</summary>
    public new string Source { get; }

    /// <summary>How an <see cref="ImageRef"/> is named in errors.</summary>
    public static string Describe(ImageRef image) => image switch
    {
        ImageFile file => file.Path,
        ImageFileCrop crop => $"{crop.Path} (crop {crop.Left},{crop.Top},{crop.Right},{crop.Bottom})",
        InMemoryImage memory => $"an in-memory {memory.Image.Width}×{memory.Image.Height} image",
        _ => image.ToString() ?? "an image",
    };
}

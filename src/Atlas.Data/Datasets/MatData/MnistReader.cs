using Atlas.Data.Formats;
using Atlas.Data.Images;

namespace Atlas.Data.Datasets.MatData;

/// <summary>
/// MNIST as torchvision's <c>datasets.MNIST(root=data_root)</c> reads it (the atlas code's <c>MNIST</c>): the four
/// uncompressed IDX files under <c>MNIST/raw/</c>. Test = the 10 000 <c>t10k</c> images; validation = the paper's seeded
/// random 5 000 of the 60 000 training images (the atlas code's <c>MNISTVal</c>). Grey levels become RGB as Pillow's
/// <c>convert("RGB")</c> makes them.
/// </summary>
public sealed class MnistReader : IPaperDatasetReader
{
    private const int Side = 28;
    private static readonly string[] Files =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    private readonly LayoutGuard _guard;

    /// <summary>Creates the reader.</summary>
    public MnistReader() => _guard = new LayoutGuard(Dataset, ExpectedLayout);

    /// <inheritdoc />
    public PaperDataset Dataset => PaperDataset.Mnist;

    /// <inheritdoc />
    public string ExpectedLayout => string.Join("\n", Files.Select(f => $"MNIST/raw/{f}"));

    /// <inheritdoc />
    public void CheckLayout(string dataRoot)
    {
        string raw = _guard.Folder(Path.Combine(dataRoot, "MNIST", "raw"));
        foreach (string file in Files)
        {
            string path = _guard.File(Path.Combine(raw, file));
            uint expected = file.Contains("images", StringComparison.Ordinal) ? 0x00000803u : 0x00000801u;
            var magic = new byte[4];
            using FileStream stream = System.IO.File.OpenRead(path);
            if (stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4
                || System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(magic) != expected)
            {
                throw _guard.Fail(path, $"not an uncompressed IDX file with magic 0x{expected:X8}");
            }
        }
    }

    /// <inheritdoc />
    public DatasetSplits Read(string dataRoot)
    {
        CheckLayout(dataRoot);
        string raw = Path.Combine(dataRoot, "MNIST", "raw");
        IReadOnlyList<string> classNames = DatasetText.ClassNames(Dataset);
        IReadOnlyList<LabelledImage> train = ReadPart(Path.Combine(raw, Files[0]), Path.Combine(raw, Files[1]), classNames.Count);
        IReadOnlyList<LabelledImage> test = ReadPart(Path.Combine(raw, Files[2]), Path.Combine(raw, Files[3]), classNames.Count);
        (IReadOnlyList<LabelledImage> fit, IReadOnlyList<LabelledImage> validation) = SeededRandomSplit.CarveValidation(train);
        return new DatasetSplits(Dataset, classNames, fit, validation, test)
        {
            CarvedValidation = ValidationSplitIndices.Atlas(Dataset, train.Count),
        };
    }

    private LabelledImage[] ReadPart(string imagesPath, string labelsPath, int classCount)
    {
        IdxArray images = _guard.Parse(imagesPath, () => IdxReader.Read(imagesPath));
        IdxArray labels = _guard.Parse(labelsPath, () => IdxReader.Read(labelsPath));
        if (images.Dimensions.Count != 3 || images.Dimensions[1] != Side || images.Dimensions[2] != Side)
        {
            throw _guard.Fail(imagesPath, $"images are [{string.Join(", ", images.Dimensions)}], expected [n, {Side}, {Side}]");
        }
        if (labels.Count != images.Count)
        {
            throw _guard.Fail(labelsPath, $"{labels.Count} labels for {images.Count} images");
        }
        _guard.LabelsInRange(labels.Values.Select(v => (int)v), classCount, labelsPath);
        var samples = new LabelledImage[images.Count];
        const int pixels = Side * Side;
        for (int i = 0; i < samples.Length; i++)
        {
            RgbImage image = RgbImage.FromGrey(Side, Side, images.Values.AsSpan(i * pixels, pixels));
            samples[i] = new LabelledImage(new InMemoryImage(image), labels.Values[i]);
        }
        return samples;
    }
}

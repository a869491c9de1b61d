using Atlas.Data.Images;

namespace Atlas.Data.Datasets.MatData;

/// <summary>
/// STL-10 as torchvision's <c>datasets.STL10(root=data_root/stl10, split=...)</c> reads it: <c>*_X.bin</c> holds
/// 96×96 RGB images as three channel planes each stored column-major (torchvision transposes (0, 1, 3, 2)),
/// <c>*_y.bin</c> one label byte in 1..10 per image (torchvision subtracts 1), <c>class_names.txt</c> the class names.
/// Train = the 5 000 labelled training images (no unlabelled part, no folds); test = the 8 000 test images;
/// validation = the paper's seeded random split of train.
/// </summary>
public sealed class Stl10Reader : IPaperDatasetReader
{
    private const int Side = 96;
    private const int ImageBytes = Side * Side * 3;
    private readonly LayoutGuard _guard;

    /// <summary>Creates the reader.</summary>
    public Stl10Reader() => _guard = new LayoutGuard(Dataset, ExpectedLayout);

    /// <inheritdoc />
    public PaperDataset Dataset => PaperDataset.Stl10;

    /// <inheritdoc />
    public string ExpectedLayout =>
        "stl10/stl10_binary/train_X.bin\nstl10/stl10_binary/train_y.bin\nstl10/stl10_binary/test_X.bin\nstl10/stl10_binary/test_y.bin\nstl10/stl10_binary/class_names.txt";

    /// <inheritdoc />
    public void CheckLayout(string dataRoot)
    {
        string folder = _guard.Folder(Path.Combine(dataRoot, "stl10", "stl10_binary"));
        foreach (string split in new[] { "train", "test" })
        {
            string images = _guard.File(Path.Combine(folder, $"{split}_X.bin"));
            string labels = _guard.File(Path.Combine(folder, $"{split}_y.bin"));
            long imageBytes = new FileInfo(images).Length;
            if (imageBytes % ImageBytes != 0)
            {
                throw _guard.Fail(images, $"{imageBytes} bytes, not a whole number of 96×96×3 images ({ImageBytes} bytes each)");
            }
            long labelBytes = new FileInfo(labels).Length;
            if (labelBytes != imageBytes / ImageBytes)
            {
                throw _guard.Fail(labels, $"{labelBytes} labels for {imageBytes / ImageBytes} images");
            }
        }
        _guard.File(Path.Combine(folder, "class_names.txt"));
    }

    /// <inheritdoc />
    public DatasetSplits Read(string dataRoot)
    {
        CheckLayout(dataRoot);
        string folder = Path.Combine(dataRoot, "stl10", "stl10_binary");
        string namesPath = Path.Combine(folder, "class_names.txt");
        IReadOnlyList<string> classNames = _guard.MatchingClassNames(
            System.IO.File.ReadAllText(namesPath).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray(), namesPath);
        IReadOnlyList<LabelledImage> train = ReadPart(folder, "train", classNames.Count);
        IReadOnlyList<LabelledImage> test = ReadPart(folder, "test", classNames.Count);
        (IReadOnlyList<LabelledImage> fit, IReadOnlyList<LabelledImage> validation) = SeededRandomSplit.CarveValidation(train);
        return new DatasetSplits(Dataset, classNames, fit, validation, test)
        {
            CarvedValidation = ValidationSplitIndices.Atlas(Dataset, train.Count),
        };
    }

    private LabelledImage[] ReadPart(string folder, string split, int classCount)
    {
        string imagesPath = Path.Combine(folder, $"{split}_X.bin");
        string labelsPath = Path.Combine(folder, $"{split}_y.bin");
        byte[] raw = System.IO.File.ReadAllBytes(imagesPath);
        byte[] labels = System.IO.File.ReadAllBytes(labelsPath);
        _guard.LabelsInRange(labels.Select(l => l - 1), classCount, labelsPath);
        var samples = new LabelledImage[labels.Length];
        const int plane = Side * Side;
        for (int n = 0; n < samples.Length; n++)
        {
            var pixels = new byte[ImageBytes];
            int start = n * ImageBytes;
            for (int c = 0; c < 3; c++)
            {
                for (int column = 0; column < Side; column++)
                {
                    // Each plane is stored column by column: pixel (row, column) of channel c at c·9216 + column·96 + row.
                    int source = start + (c * plane) + (column * Side);
                    for (int row = 0; row < Side; row++)
                    {
                        pixels[(((row * Side) + column) * 3) + c] = raw[source + row];
                    }
                }
            }
            samples[n] = new LabelledImage(new InMemoryImage(new RgbImage(Side, Side, pixels)), labels[n] - 1);
        }
        return samples;
    }
}

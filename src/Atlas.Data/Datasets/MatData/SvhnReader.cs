using Atlas.Data.Formats.Mat;
using Atlas.Data.Images;

namespace Atlas.Data.Datasets.MatData;

/// <summary>
/// SVHN (cropped digits) as torchvision's <c>datasets.SVHN(root=data_root/svhn)</c> reads it: <c>X</c>, a 32×32×3×n
/// uint8 MATLAB array (row, column, channel, image), and <c>y</c>, n labels in 1..10 where 10 stands for the digit 0
/// (torchvision maps 10 → 0). Test = <c>test_32x32.mat</c>; validation = the paper's seeded random split of the
/// training file (no <c>extra_32x32.mat</c>: the atlas code trains on <c>train</c> only).
/// </summary>
public sealed class SvhnReader : IPaperDatasetReader
{
    private const int Side = 32;
    private readonly LayoutGuard _guard;

    /// <summary>Creates the reader.</summary>
    public SvhnReader() => _guard = new LayoutGuard(Dataset, ExpectedLayout);

    /// <inheritdoc />
    public PaperDataset Dataset => PaperDataset.Svhn;

    /// <inheritdoc />
    public string ExpectedLayout => "svhn/train_32x32.mat   (MAT v5: X uint8 32×32×3×n, y n×1 in 1..10)\nsvhn/test_32x32.mat";

    /// <inheritdoc />
    public void CheckLayout(string dataRoot)
    {
        foreach (string split in new[] { "train", "test" })
        {
            string path = _guard.File(Path.Combine(_guard.Folder(Path.Combine(dataRoot, "svhn")), $"{split}_32x32.mat"));
            _guard.Parse(path, () =>
            {
                MatFileReader.CheckHeader(path);
                return 0;
            });
        }
    }

    /// <inheritdoc />
    public DatasetSplits Read(string dataRoot)
    {
        CheckLayout(dataRoot);
        IReadOnlyList<LabelledImage> train = ReadPart(Path.Combine(dataRoot, "svhn", "train_32x32.mat"));
        IReadOnlyList<LabelledImage> test = ReadPart(Path.Combine(dataRoot, "svhn", "test_32x32.mat"));
        (IReadOnlyList<LabelledImage> fit, IReadOnlyList<LabelledImage> validation) = SeededRandomSplit.CarveValidation(train);
        return new DatasetSplits(Dataset, DatasetText.ClassNames(Dataset), fit, validation, test)
        {
            CarvedValidation = ValidationSplitIndices.Atlas(Dataset, train.Count),
        };
    }

    private LabelledImage[] ReadPart(string path)
    {
        IReadOnlyDictionary<string, MatArray> variables = _guard.Parse(path, () => MatFileReader.Read(path));
        if (!variables.TryGetValue("X", out MatArray? xArray) || xArray is not MatNumericArray { Class: MatClass.UInt8, Real: byte[] x } images
            || images.Dimensions.Count != 4 || images.Dimensions[0] != Side || images.Dimensions[1] != Side || images.Dimensions[2] != 3)
        {
            throw _guard.Fail(path, $"variable 'X' is {(xArray is null ? "missing" : xArray.Describe())}, expected uint8 32×32×3×n");
        }
        if (!variables.TryGetValue("y", out MatArray? yArray) || yArray is not MatNumericArray labels)
        {
            throw _guard.Fail(path, $"variable 'y' is {(yArray is null ? "missing" : yArray.Describe())}, expected n numeric labels");
        }
        int count = images.Dimensions[3];
        long[] rawLabels = _guard.Parse(path, labels.ToInt64);
        if (rawLabels.Length != count)
        {
            throw _guard.Fail(path, $"{rawLabels.Length} labels in 'y' for {count} images in 'X'");
        }
        var samples = new LabelledImage[count];
        const int plane = Side * Side;
        for (int n = 0; n < count; n++)
        {
            long label = rawLabels[n];
            if (label < 1 || label > 10)
            {
                throw _guard.Fail(path, $"label {label} of image {n} is outside 1..10");
            }
            var pixels = new byte[plane * 3];
            int imageStart = n * plane * 3;
            for (int c = 0; c < 3; c++)
            {
                for (int column = 0; column < Side; column++)
                {
                    // Column-major: X(row, column, channel, image) is at row + 32·column + 1024·channel + 3072·image.
                    int source = imageStart + (c * plane) + (column * Side);
                    for (int row = 0; row < Side; row++)
                    {
                        pixels[(((row * Side) + column) * 3) + c] = x[source + row];
                    }
                }
            }
            samples[n] = new LabelledImage(new InMemoryImage(new RgbImage(Side, Side, pixels)), label == 10 ? 0 : (int)label);
        }
        return samples;
    }
}

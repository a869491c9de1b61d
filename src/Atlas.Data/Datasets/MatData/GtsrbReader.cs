using Atlas.Data.Datasets.Folders;
using Atlas.Data.Images;

namespace Atlas.Data.Datasets.MatData;

/// <summary>
/// GTSRB as the atlas code's <c>PyTorchGTSRB</c> (torchvision's GTSRB with the atlas paths) reads it. Train: the
/// <c>.ppm</c> images under <c>gtsrb/GTSRB/Training/&lt;class&gt;/</c>, class folders sorted by name (label = position),
/// each folder walked as torchvision's <c>make_dataset</c> walks it (sub-folders sorted by path, files by name, the
/// per-class <c>GT-*.csv</c> skipped); every class folder must hold an image. Test: the rows of
/// <c>gtsrb/GT-final_test.csv</c> (<c>;</c>-separated, <c>Filename</c> and <c>ClassId</c> columns) in file order, images
/// under <c>gtsrb/GTSRB/Final_Test/Images/</c>. Validation = the paper's seeded random split of train.
/// </summary>
public sealed class GtsrbReader : IPaperDatasetReader
{
    private readonly LayoutGuard _guard;

    /// <summary>Creates the reader.</summary>
    public GtsrbReader() => _guard = new LayoutGuard(Dataset, ExpectedLayout);

    /// <inheritdoc />
    public PaperDataset Dataset => PaperDataset.Gtsrb;

    /// <inheritdoc />
    public string ExpectedLayout =>
        "gtsrb/GTSRB/Training/<class 00000..00042>/*.ppm\ngtsrb/GTSRB/Final_Test/Images/*.ppm\ngtsrb/GT-final_test.csv   (Filename;...;ClassId)";

    /// <inheritdoc />
    public void CheckLayout(string dataRoot)
    {
        string training = _guard.Folder(Path.Combine(dataRoot, "gtsrb", "GTSRB", "Training"));
        int classCount = DatasetText.ClassNames(Dataset).Count;
        int folders = Directory.GetDirectories(training).Length;
        if (folders != classCount)
        {
            throw _guard.Fail(training, $"{folders} class folders, expected {classCount}");
        }
        _guard.Folder(Path.Combine(dataRoot, "gtsrb", "GTSRB", "Final_Test", "Images"));
        string csv = _guard.File(Path.Combine(dataRoot, "gtsrb", "GT-final_test.csv"));
        using var reader = new StreamReader(csv);
        ColumnsOf(reader.ReadLine(), csv);
    }

    /// <inheritdoc />
    public DatasetSplits Read(string dataRoot)
    {
        CheckLayout(dataRoot);
        IReadOnlyList<string> classNames = DatasetText.ClassNames(Dataset);
        List<LabelledImage> train = ReadTraining(Path.Combine(dataRoot, "gtsrb", "GTSRB", "Training"));
        List<LabelledImage> test = ReadTest(dataRoot, classNames.Count);
        var (fit, validation) = SeededRandomSplit.CarveValidation(train);
        return new DatasetSplits(Dataset, classNames, fit, validation, test)
        {
            CarvedValidation = ValidationSplitIndices.Atlas(Dataset, train.Count),
        };
    }

    // torchvision's DatasetFolder over the class folders, keeping .ppm files (the test images' CSVs are skipped).
    private List<LabelledImage> ReadTraining(string training) =>
        ImageFolderScan.Read(_guard, training, path => path.EndsWith(".ppm", StringComparison.OrdinalIgnoreCase)).Samples;

    private List<LabelledImage> ReadTest(string dataRoot, int classCount)
    {
        string csv = Path.Combine(dataRoot, "gtsrb", "GT-final_test.csv");
        string images = Path.Combine(dataRoot, "gtsrb", "GTSRB", "Final_Test", "Images");
        using var reader = new StreamReader(csv);
        (int fileColumn, int classColumn) = ColumnsOf(reader.ReadLine(), csv);
        var samples = new List<LabelledImage>();
        int lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            string[] fields = SplitRow(line);
            if (fields.Length <= Math.Max(fileColumn, classColumn) || !int.TryParse(fields[classColumn], out int label))
            {
                throw _guard.Fail(csv, $"line {lineNumber} ('{line}') has no integer ClassId");
            }
            if (label < 0 || label >= classCount)
            {
                throw _guard.Fail(csv, $"line {lineNumber}: ClassId {label} is outside 0..{classCount - 1}");
            }
            samples.Add(new LabelledImage(new ImageFile(Path.GetFullPath(Path.Combine(images, fields[fileColumn]))), label));
        }
        return samples;
    }

    private (int File, int Class) ColumnsOf(string? header, string csv)
    {
        string[] columns = header is null ? [] : SplitRow(header);
        int file = Array.IndexOf(columns, "Filename");
        int classId = Array.IndexOf(columns, "ClassId");
        if (file < 0 || classId < 0)
        {
            throw _guard.Fail(csv, $"header '{header}' lacks the Filename and ClassId columns");
        }
        return (file, classId);
    }

    // csv.DictReader(delimiter=";", skipinitialspace=True): fields split on ';', leading spaces dropped.
    private static string[] SplitRow(string line) => line.TrimEnd('\r').Split(';').Select(f => f.TrimStart(' ')).ToArray();
}

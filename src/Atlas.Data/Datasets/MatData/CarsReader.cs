using Atlas.Data.Formats.Mat;
using Atlas.Data.Images;

namespace Atlas.Data.Datasets.MatData;

/// <summary>
/// Stanford Cars as the atlas code's <c>PytorchStanfordCars</c> reads it: the <c>annotations</c> struct array of
/// <c>devkit/cars_train_annos.mat</c> (train) and <c>cars_test_annos_withlabels.mat</c> (test), one sample per element in
/// file order, image <c>cars_{train,test}/&lt;fname&gt;</c>, label <c>class − 1</c>; class names from
/// <c>devkit/cars_meta.mat</c>'s <c>class_names</c> with '_' shown as ' ' (checked against the embedded names).
/// Validation = the paper's seeded random split of train.
/// </summary>
public sealed class CarsReader : IPaperDatasetReader
{
    private readonly LayoutGuard _guard;

    /// <summary>Creates the reader.</summary>
    public CarsReader() => _guard = new LayoutGuard(Dataset, ExpectedLayout);

    /// <inheritdoc />
    public PaperDataset Dataset => PaperDataset.Cars;

    /// <inheritdoc />
    public string ExpectedLayout =>
        "stanford_cars/devkit/cars_train_annos.mat   (MAT v5: annotations struct with fname, class)\n" +
        "stanford_cars/devkit/cars_meta.mat          (class_names cell)\n" +
        "stanford_cars/cars_train/*.jpg\n" +
        "stanford_cars/cars_test_annos_withlabels.mat\n" +
        "stanford_cars/cars_test/*.jpg";

    /// <inheritdoc />
    public void CheckLayout(string dataRoot)
    {
        string root = _guard.Folder(Path.Combine(dataRoot, "stanford_cars"));
        string devkit = _guard.Folder(Path.Combine(root, "devkit"));
        foreach (string mat in new[] { Path.Combine(devkit, "cars_train_annos.mat"), Path.Combine(devkit, "cars_meta.mat"), Path.Combine(root, "cars_test_annos_withlabels.mat") })
        {
            _guard.File(mat);
            _guard.Parse(mat, () =>
            {
                MatFileReader.CheckHeader(mat);
                return 0;
            });
        }
        _guard.Folder(Path.Combine(root, "cars_train"));
        _guard.Folder(Path.Combine(root, "cars_test"));
    }

    /// <inheritdoc />
    public DatasetSplits Read(string dataRoot)
    {
        CheckLayout(dataRoot);
        string root = Path.Combine(dataRoot, "stanford_cars");
        string metaPath = Path.Combine(root, "devkit", "cars_meta.mat");
        IReadOnlyDictionary<string, MatArray> meta = _guard.Parse(metaPath, () => MatFileReader.Read(metaPath));
        if (!meta.TryGetValue("class_names", out MatArray? names) || names is not MatCellArray cell || cell.Cells.Any(c => c is not MatCharArray))
        {
            throw _guard.Fail(metaPath, $"'class_names' is {(names is null ? "missing" : names.Describe())}, expected a cell array of strings");
        }
        string[] onDisk = cell.Cells.Select(c => _guard.Parse(metaPath, () => ((MatCharArray)c).Text).Replace('_', ' ')).ToArray();
        IReadOnlyList<string> classNames = _guard.MatchingClassNames(onDisk, metaPath);
        List<LabelledImage> train = ReadPart(Path.Combine(root, "devkit", "cars_train_annos.mat"), Path.Combine(root, "cars_train"), classNames.Count);
        List<LabelledImage> test = ReadPart(Path.Combine(root, "cars_test_annos_withlabels.mat"), Path.Combine(root, "cars_test"), classNames.Count);
        var (fit, validation) = SeededRandomSplit.CarveValidation(train);
        return new DatasetSplits(Dataset, classNames, fit, validation, test)
        {
            CarvedValidation = ValidationSplitIndices.Atlas(Dataset, train.Count),
        };
    }

    private List<LabelledImage> ReadPart(string annotationsPath, string imageFolder, int classCount)
    {
        IReadOnlyDictionary<string, MatArray> variables = _guard.Parse(annotationsPath, () => MatFileReader.Read(annotationsPath));
        if (!variables.TryGetValue("annotations", out MatArray? array) || array is not MatStructArray annotations)
        {
            throw _guard.Fail(annotationsPath, $"'annotations' is {(array is null ? "missing" : array.Describe())}, expected a struct array");
        }
        var samples = new List<LabelledImage>(annotations.Count);
        for (int i = 0; i < annotations.Count; i++)
        {
            int element = i;
            (string fileName, long classNumber) = _guard.Parse(annotationsPath, () =>
            {
                string name = annotations.Field(element, "fname") is MatCharArray chars ? chars.Text
                    : throw new InvalidDataException($"annotation {element}: 'fname' is not a string");
                long[] number = annotations.Field(element, "class") is MatNumericArray numeric ? numeric.ToInt64()
                    : throw new InvalidDataException($"annotation {element}: 'class' is not numeric");
                return number.Length == 1 ? (name, number[0]) : throw new InvalidDataException($"annotation {element}: 'class' holds {number.Length} values");
            });
            if (classNumber < 1 || classNumber > classCount)
            {
                throw _guard.Fail(annotationsPath, $"annotation {i} ('{fileName}') has class {classNumber}, outside 1..{classCount}");
            }
            samples.Add(new LabelledImage(new ImageFile(Path.GetFullPath(Path.Combine(imageFolder, fileName))), (int)classNumber - 1));
        }
        return samples;
    }
}

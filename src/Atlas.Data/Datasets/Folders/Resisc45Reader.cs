namespace Atlas.Data.Datasets.Folders;

/// <summary>
/// RESISC45 as the atlas code reads it (<c>src/datasets/resisc45.py</c>, from torchgeo): the NWPU-RESISC45 images
/// sorted into one folder per class (<c>resisc45/NWPU-RESISC45/&lt;class&gt;/</c>, atlas DATASETS.md script) and
/// the split lists of "In-domain representation learning for remote sensing" (<c>resisc45/resisc45-{train,test}.txt</c>,
/// one file name per line). A split is the <c>ImageFolder</c> listing restricted to the files whose name is on its
/// list. The atlas code does not use <c>resisc45-val.txt</c>: validation is the seeded random 10% of train.
/// </summary>
public sealed class Resisc45Reader : IPaperDatasetReader
{
    /// <inheritdoc/>
    public PaperDataset Dataset => PaperDataset.Resisc45;

    /// <inheritdoc/>
    public string ExpectedLayout =>
        "resisc45/NWPU-RESISC45/<class>/*.jpg   45 class folders (airplane, airport, …, wetland)\n" +
        "resisc45/resisc45-train.txt            file names of the train split, one per line (e.g. airplane_001.jpg)\n" +
        "resisc45/resisc45-test.txt             file names of the test split";

    private LayoutGuard Guard => new(Dataset, ExpectedLayout);

    private static string Images(string dataRoot) => Path.Combine(dataRoot, "resisc45", "NWPU-RESISC45");

    private static string List(string dataRoot, string split) => Path.Combine(dataRoot, "resisc45", $"resisc45-{split}.txt");

    /// <inheritdoc/>
    public void CheckLayout(string dataRoot)
    {
        LayoutGuard guard = Guard;
        ImageFolderSplits.Check(guard, Images(dataRoot));
        guard.FirstLine(List(dataRoot, "train"));
        guard.FirstLine(List(dataRoot, "test"));
    }

    /// <inheritdoc/>
    public DatasetSplits Read(string dataRoot)
    {
        LayoutGuard guard = Guard;
        var (classes, train) = ReadSplit(guard, dataRoot, "train");
        IReadOnlyList<string> names = guard.ClassNames(Images(dataRoot), classes.Length);
        var (_, test) = ReadSplit(guard, dataRoot, "test");
        var (kept, held) = SeededRandomSplit.CarveValidation(train);
        return new DatasetSplits(Dataset, names, kept, held, test)
        {
            CarvedValidation = ValidationSplitIndices.Atlas(Dataset, train.Count),
        };
    }

    private static (string[] Classes, List<LabelledImage> Samples) ReadSplit(LayoutGuard guard, string dataRoot, string split)
    {
        string list = List(dataRoot, split);
        guard.FirstLine(list);
        var names = new HashSet<string>(File.ReadLines(list).Select(l => l.Trim()), StringComparer.Ordinal);
        return ImageFolderScan.Read(guard, Images(dataRoot), path => names.Contains(Path.GetFileName(path)));
    }
}

namespace Atlas.Data.Datasets.MatData;

/// <summary>
/// CIFAR-100 as torchvision's <c>datasets.CIFAR100(root=data_root)</c> reads it: <c>cifar-100-python/train</c> (50 000),
/// <c>test</c> (10 000), <c>meta</c> (<c>fine_label_names</c>, kept with their underscores as the atlas code uses them);
/// labels are the 100 <c>fine_labels</c>. Validation = the paper's seeded random 5 000 of train.
/// </summary>
public sealed class Cifar100Reader : IPaperDatasetReader
{
    private const string Folder = "cifar-100-python";
    private readonly LayoutGuard _guard;
    private readonly CifarBatches _batches;

    /// <summary>Creates the reader.</summary>
    public Cifar100Reader()
    {
        _guard = new LayoutGuard(Dataset, ExpectedLayout);
        _batches = new CifarBatches(_guard);
    }

    /// <inheritdoc />
    public PaperDataset Dataset => PaperDataset.Cifar100;

    /// <inheritdoc />
    public string ExpectedLayout => $"{Folder}/train\n{Folder}/test\n{Folder}/meta";

    /// <inheritdoc />
    public void CheckLayout(string dataRoot)
    {
        string folder = _guard.Folder(Path.Combine(dataRoot, Folder));
        _batches.CheckFiles(new[] { "train", "test", "meta" }.Select(f => Path.Combine(folder, f)));
    }

    /// <inheritdoc />
    public DatasetSplits Read(string dataRoot)
    {
        CheckLayout(dataRoot);
        string folder = Path.Combine(dataRoot, Folder);
        IReadOnlyList<string> classNames = _batches.ClassNames(Path.Combine(folder, "meta"), "fine_label_names");
        var train = _batches.Read([Path.Combine(folder, "train")], "fine_labels", classNames.Count);
        var test = _batches.Read([Path.Combine(folder, "test")], "fine_labels", classNames.Count);
        var (fit, validation) = SeededRandomSplit.CarveValidation(train);
        return new DatasetSplits(Dataset, classNames, fit, validation, test)
        {
            CarvedValidation = ValidationSplitIndices.Atlas(Dataset, train.Count),
        };
    }
}

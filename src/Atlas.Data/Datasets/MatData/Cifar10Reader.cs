namespace Atlas.Data.Datasets.MatData;

/// <summary>
/// CIFAR-10 as torchvision's <c>datasets.CIFAR10(root=data_root)</c> reads it: <c>cifar-10-batches-py/data_batch_1..5</c>
/// (train, 50 000), <c>test_batch</c> (test, 10 000), <c>batches.meta</c> (<c>label_names</c>). Validation = the paper's
/// seeded random 5 000 of train. Pickles are read as data (see <see cref="CifarBatches"/>).
/// </summary>
public sealed class Cifar10Reader : IPaperDatasetReader
{
    private const string Folder = "cifar-10-batches-py";
    private static readonly string[] TrainBatches = ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5"];
    private readonly LayoutGuard _guard;
    private readonly CifarBatches _batches;

    /// <summary>Creates the reader.</summary>
    public Cifar10Reader()
    {
        _guard = new LayoutGuard(Dataset, ExpectedLayout);
        _batches = new CifarBatches(_guard);
    }

    /// <inheritdoc />
    public PaperDataset Dataset => PaperDataset.Cifar10;

    /// <inheritdoc />
    public string ExpectedLayout => string.Join("\n", TrainBatches.Append("test_batch").Append("batches.meta").Select(f => $"{Folder}/{f}"));

    /// <inheritdoc />
    public void CheckLayout(string dataRoot)
    {
        string folder = _guard.Folder(Path.Combine(dataRoot, Folder));
        _batches.CheckFiles(TrainBatches.Append("test_batch").Append("batches.meta").Select(f => Path.Combine(folder, f)));
    }

    /// <inheritdoc />
    public DatasetSplits Read(string dataRoot)
    {
        CheckLayout(dataRoot);
        string folder = Path.Combine(dataRoot, Folder);
        IReadOnlyList<string> classNames = _batches.ClassNames(Path.Combine(folder, "batches.meta"), "label_names");
        var train = _batches.Read(TrainBatches.Select(f => Path.Combine(folder, f)), "labels", classNames.Count);
        var test = _batches.Read([Path.Combine(folder, "test_batch")], "labels", classNames.Count);
        var (fit, validation) = SeededRandomSplit.CarveValidation(train);
        return new DatasetSplits(Dataset, classNames, fit, validation, test)
        {
            CarvedValidation = ValidationSplitIndices.Atlas(Dataset, train.Count),
        };
    }
}

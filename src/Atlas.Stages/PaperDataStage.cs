using Atlas.Data.Datasets;

namespace Atlas.Stages;

/// <summary>
/// Reads one of the paper's datasets from the data root and records what it found, so every later stage uses the same
/// samples: the part sizes, a digest of the sample lists (<see cref="DatasetDigest"/>) and, for a dataset without a
/// validation split of its own, the seeded random split's indices as an index file beside the results
/// (<see cref="ValidationSplitFile"/>; an empty list for the others). The stages that read images load the dataset
/// again and stop when its digest no longer matches (<see cref="ExperimentContext.PaperSplits"/>).
/// </summary>
public sealed class PaperDataStage(string dataset) : Stage
{
    /// <summary>The record of what was read (<see cref="PaperDatasetRecord"/>).</summary>
    public const string RecordFile = "dataset.json";

    /// <summary>The validation split's index file.</summary>
    public const string ValidationFile = "validation_split.json";

    public string Dataset { get; } = dataset;

    public override string Id => StageIds.Dataset(Dataset);

    public override string Phase => "Data";

    // Lists files and writes JSON: nothing of it touches the device, so a GPU spec runs it unchanged.
    public override bool RunsOnDevice => true;

    public override string Description => $"read {Dataset} from the data root and store its validation split";

    // The resolved root, so pointing the spec at other data rereads it; the record's digest then decides whether the
    // stages after it change.
    public override object Parameters(ExperimentContext context) => new { Dataset, Root = context.DataRoot };

    public override IReadOnlyList<string> Inputs(ExperimentContext context) => [];

    public override IReadOnlyList<string> Outputs(ExperimentContext context) =>
        [context.Layout.StageFile(Id, RecordFile), context.Layout.StageFile(Id, ValidationFile)];

    public override void Execute(ExperimentContext context, StageRun run)
    {
        var dataset = ExperimentContext.PaperDataset(Dataset);
        var splits = PaperDatasetReaders.For(dataset).Read(context.DataRoot);
        int trainBeforeCut = splits.Train.Count + (splits.CarvedValidation is null ? 0 : splits.Validation.Count);
        var validation = splits.CarvedValidation ?? new ValidationSplitIndices(dataset, trainBeforeCut, SeededRandomSplit.AtlasSeed, []);
        var record = new PaperDatasetRecord(Dataset, splits.ClassNames.Count, splits.Train.Count, splits.Validation.Count, splits.Test.Count,
            splits.CarvedValidation is null ? ValidationSource.Dataset : ValidationSource.SeededRandomSplit, DatasetDigest.Of(splits, context.DataRoot));
        ValidationSplitFile.Write(context.Absolute(context.Layout.StageFile(Id, ValidationFile)), validation);
        context.WriteJson(context.Layout.StageFile(Id, RecordFile), record);
        context.Log.WriteLine($"[{Id}] {record.Classes} classes; train {record.Train}, validation {record.Validation} " +
            $"({(record.ValidationFrom == ValidationSource.Dataset ? "the dataset's own" : "seeded random split of the training split")}), test {record.Test}");
    }

    /// <summary>The record <see cref="Execute"/> wrote.</summary>
    public static PaperDatasetRecord Read(ExperimentContext context, string dataset) =>
        context.ReadJson<PaperDatasetRecord>(context.Layout.StageFile(StageIds.Dataset(dataset), RecordFile));
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Atlas.Data;
using Atlas.Store;

namespace Atlas.Stages;

/// <summary>
/// Partitions every mini source into disjoint pretrain/train/val/test index lists. The indices are an artifact, hashed and
/// recorded, not a procedure re-run by each consumer. The paper's datasets bring their own splits: each is read by its
/// <see cref="PaperDataStage"/>, which this stage follows, so every stage after <c>data</c> comes after all the data.
/// </summary>
/// <param name="paperDatasets">The spec's <c>data.datasets</c>.</param>
public sealed class DataStage(IReadOnlyList<string> paperDatasets) : Stage
{
    public override string Id => StageIds.Data;

    public override IReadOnlyList<string> DependsOn => [.. paperDatasets.Select(StageIds.Dataset)];
    public override bool RunsOnDevice => true;
    public override string Phase => "Data";
    public override string Description => "split every source into pretrain/train/val/test indices";

    // The root decides only the mini sources' files; the paper datasets' root is their own stages' parameter (so moving
    // the paper data reruns those stages alone).
    public override object Parameters(ExperimentContext context) => context.Spec.Data.Sources.Count > 0
        ? new { context.Spec.Data.Root, context.Spec.Data.Sources }
        : new { context.Spec.Data.Sources };

    public override IReadOnlyList<string> Inputs(ExperimentContext context) => DataFiles(context);

    public override IReadOnlyList<string> Outputs(ExperimentContext context) => [context.Layout.Splits];

    public override void Execute(ExperimentContext context, StageRun run)
    {
        var document = new JsonObject();
        foreach (var (name, sizes) in context.Spec.Data.Sources)
        {
            var source = context.Source(name);
            var split = SplitPlanner.Plan(name, source.Labels,
                new SplitSizes(sizes.Pretrain, sizes.Train, sizes.Val, sizes.Test), (ulong)StageIds.Seed(run.Seed, name));
            document[name] = JsonNode.Parse(split.ToJson());
            context.Log.WriteLine($"[data] {name}: {string.Join(", ", SourceSplit.PartitionNames.Select(p => $"{p} {split.Indices(p).Length}"))}");
        }
        AtomicFile.WriteAllText(context.Absolute(context.Layout.Splits), document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Reads the splits written by <see cref="Execute"/>, keyed by source name.</summary>
    public static Dictionary<string, SourceSplit> ReadSplits(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: split file missing; run the data stage first", path);
        var document = JsonNode.Parse(File.ReadAllText(path))?.AsObject()
            ?? throw new InvalidDataException($"{path}: empty split file");
        return document.ToDictionary(p => p.Key, p => SourceSplit.FromJson(p.Value!.ToJsonString(), path));
    }
}

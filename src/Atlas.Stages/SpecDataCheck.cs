using Atlas.Data;
using Atlas.Pipeline.Specs;

namespace Atlas.Stages;

/// <summary>
/// What a mini data root can supply, for the spec's validation: each source's images per class from its manifest
/// (<see cref="MiniDataManifest"/>, a few kilobytes: no image is read) and the split the data stage will draw from them
/// (<see cref="SplitPlanner.Quotas"/>, the same apportionment <see cref="SplitPlanner.Plan"/> uses). Relative data roots
/// are relative to the repository root, as <c>data.root</c> is.
/// </summary>
public sealed class SpecDataCheck(string repositoryRoot) : ISpecDataCheck
{
    private readonly Dictionary<string, MiniDataManifest> manifests = new(StringComparer.Ordinal);

    public SourcePartitionCounts? SourcePartitions(string dataRoot, string source, Pipeline.Specs.SplitSizes sizes, out string? problem)
    {
        string root = Path.Combine(repositoryRoot, dataRoot);
        MiniDataManifest manifest;
        try
        {
            if (!manifests.TryGetValue(root, out manifest!)) manifests[root] = manifest = MiniDataManifest.Load(root);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
        {
            problem = e.Message;
            return null;
        }
        var entry = manifest.Sources.FirstOrDefault(s => s.Name == source);
        if (entry is null)
        {
            problem = $"{Path.Combine(root, MiniDataManifest.FileName)} has no source '{source}'";
            return null;
        }
        var counts = entry.Selection.CountsPerClass;
        var split = new Data.SplitSizes(sizes.Pretrain, sizes.Train, sizes.Val, sizes.Test);
        if (split.Total > counts.Sum())
        {
            problem = $"the split asks for {sizes.Pretrain} + {sizes.Train} + {sizes.Val} + {sizes.Test} = {split.Total} images, but {source} has {counts.Sum()} "
                      + $"({Path.Combine(root, MiniDataManifest.FileName)})";
            return null;
        }
        problem = null;
        var quotas = SplitPlanner.Quotas(counts, split);
        return new SourcePartitionCounts(quotas[SourceSplit.Pretrain], quotas[SourceSplit.Train], quotas[SourceSplit.Val], quotas[SourceSplit.Test]);
    }

    public string? PaperDatasetProblem(string dataRoot, string dataset)
    {
        // The name was checked against the known datasets first, so it parses.
        var known = (Data.Datasets.PaperDataset)SpecNames.Parse(typeof(Data.Datasets.PaperDataset), dataset)!;
        try
        {
            Data.Datasets.PaperDatasetReaders.For(known).CheckLayout(Path.Combine(repositoryRoot, dataRoot));
            return null;
        }
        catch (Data.Datasets.DatasetLayoutException e)
        {
            return e.Message;
        }
    }
}

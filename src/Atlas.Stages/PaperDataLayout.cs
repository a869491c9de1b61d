using Atlas.Data.Datasets;
using Atlas.Pipeline.Specs;

namespace Atlas.Stages;

/// <summary>
/// The paper's datasets as the spec layer knows them, and the check of their folders that precedes any stage: a run
/// that would fail hours in because a dataset's folder is missing or malformed stops before it starts instead.
/// </summary>
public static class PaperDataLayout
{
    /// <summary>Every paper dataset by its spec spelling (<see cref="PaperDataset"/>'s EnumMember values), with the class
    /// names and templates of <see cref="DatasetText"/>.</summary>
    public static IReadOnlyDictionary<string, PaperDatasetText> Known { get; } =
        Enum.GetValues<PaperDataset>().ToDictionary(
            DatasetText.NameOf,
            dataset => new PaperDatasetText(DatasetText.ClassNames(dataset), DatasetText.Templates(dataset)));

    /// <summary>
    /// What is wrong with the folders of the spec's <c>data.datasets</c> under <paramref name="dataRoot"/> (absolute):
    /// one message per failing dataset naming it, the path that failed and the layout its reader expects
    /// (<see cref="IPaperDatasetReader.CheckLayout"/>), all of them collected; null when every folder is in place.
    /// </summary>
    public static string? Problems(ExperimentSpec spec, string dataRoot)
    {
        var failures = new List<string>();
        foreach (var name in spec.Data.Datasets)
        {
            // The spec was validated, so every name is a PaperDataset's spelling.
            var dataset = (PaperDataset)SpecNames.Parse(typeof(PaperDataset), name)!;
            try
            {
                PaperDatasetReaders.For(dataset).CheckLayout(dataRoot);
            }
            catch (DatasetLayoutException e)
            {
                failures.Add($"data.datasets: {name}: {e.Message}");
            }
        }
        return failures.Count == 0 ? null
            : $"{failures.Count} of the spec's {spec.Data.Datasets.Count} paper datasets {(failures.Count == 1 ? "is" : "are")} not in place under the data root "
              + $"{dataRoot}; no stage ran:\n\n{string.Join("\n\n", failures)}";
    }
}

using Atlas.Data.Datasets;
using Atlas.Pipeline.Specs;

namespace Atlas.Stages;

/// <summary>
/// The paper's datasets as the spec layer knows them. Their folders are checked when the spec is validated
/// (<see cref="SpecDataCheck"/>): a run that would fail hours in because a dataset's folder is missing or malformed
/// stops before it starts, at the dataset's line in the spec.
/// </summary>
public static class PaperDataLayout
{
    /// <summary>Every paper dataset by its spec spelling (<see cref="PaperDataset"/>'s EnumMember values), with the class
    /// names and templates of <see cref="DatasetText"/>.</summary>
    public static IReadOnlyDictionary<string, PaperDatasetText> Known { get; } =
        Enum.GetValues<PaperDataset>().ToDictionary(
            DatasetText.NameOf,
            dataset => new PaperDatasetText(DatasetText.ClassNames(dataset), DatasetText.Templates(dataset)));
}

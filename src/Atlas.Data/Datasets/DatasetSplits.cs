namespace Atlas.Data.Datasets;

/// <summary>
/// A dataset as read from disk: its class names (index = label) and the samples of each <see cref="DatasetPart"/>,
/// each list in the order the atlas code's dataset object yields them (file order matters: seeded random splits index it).
/// </summary>
public sealed record DatasetSplits(
    PaperDataset Dataset,
    IReadOnlyList<string> ClassNames,
    IReadOnlyList<LabelledImage> Train,
    IReadOnlyList<LabelledImage> Validation,
    IReadOnlyList<LabelledImage> Test)
{
    /// <summary>The samples of <paramref name="part"/>.</summary>
    public IReadOnlyList<LabelledImage> Part(DatasetPart part) => part switch
    {
        DatasetPart.Train => Train,
        DatasetPart.Validation => Validation,
        DatasetPart.Test => Test,
        _ => throw new ArgumentOutOfRangeException(nameof(part), part, null),
    };
}

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

    /// <summary>The seeded random split that cut <see cref="Validation"/> out of the training split, for datasets
    /// without a validation split of their own (null for those with one); stored beside the results as an index file
    /// (<see cref="ValidationSplitFile"/>).</summary>
    public ValidationSplitIndices? CarvedValidation { get; init; }
}

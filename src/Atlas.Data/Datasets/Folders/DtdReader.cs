namespace Atlas.Data.Datasets.Folders;

/// <summary>
/// DTD as the atlas code reads it (<c>src/datasets/dtd.py</c>): split 1 of the Describable Textures Dataset arranged
/// by the atlas DATASETS.md script into <c>dtd/train</c> (train1 + val1) and <c>dtd/val</c> (test1), one folder per
/// texture. The paper tests on <c>dtd/val</c>; validation is the seeded random 10% of <c>dtd/train</c>.
/// </summary>
public sealed class DtdReader : IPaperDatasetReader
{
    /// <inheritdoc/>
    public PaperDataset Dataset => PaperDataset.Dtd;

    /// <inheritdoc/>
    public string ExpectedLayout =>
        "dtd/train/<texture>/*.jpg   47 texture folders (split 1: train1 + val1)\n" +
        "dtd/val/<texture>/*.jpg     the same 47 folders (split 1: test1), the test split";

    private LayoutGuard Guard => new(Dataset, ExpectedLayout);

    /// <inheritdoc/>
    public void CheckLayout(string dataRoot) =>
        ImageFolderSplits.Check(Guard, Path.Combine(dataRoot, "dtd", "train"), Path.Combine(dataRoot, "dtd", "val"));

    /// <inheritdoc/>
    public DatasetSplits Read(string dataRoot) =>
        ImageFolderSplits.Read(Dataset, Guard, Path.Combine(dataRoot, "dtd", "train"), Path.Combine(dataRoot, "dtd", "val"), validationRoot: null);
}

namespace Atlas.Data.Datasets.Folders;

/// <summary>
/// SUN397 as the atlas code reads it (<c>src/datasets/sun397.py</c>): partition 1 (<c>Training_01.txt</c>,
/// <c>Testing_01.txt</c>) copied by the atlas DATASETS.md script into <c>sun397/{train,val}</c>, one folder per scene
/// named from its path (<c>/a/apartment_building/outdoor</c> → <c>a_apartment_building_outdoor</c>). The paper tests
/// on <c>sun397/val</c>; validation is the seeded random 10% of <c>sun397/train</c>.
/// </summary>
public sealed class Sun397Reader : IPaperDatasetReader
{
    /// <inheritdoc/>
    public PaperDataset Dataset => PaperDataset.Sun397;

    /// <inheritdoc/>
    public string ExpectedLayout =>
        "sun397/train/<letter>_<scene>/*.jpg   397 scene folders, e.g. a_abbey (partition 1, Training_01.txt)\n" +
        "sun397/val/<letter>_<scene>/*.jpg     the same 397 folders (partition 1, Testing_01.txt), the test split";

    private LayoutGuard Guard => new(Dataset, ExpectedLayout);

    /// <inheritdoc/>
    public void CheckLayout(string dataRoot) =>
        ImageFolderSplits.Check(Guard, Path.Combine(dataRoot, "sun397", "train"), Path.Combine(dataRoot, "sun397", "val"));

    /// <inheritdoc/>
    public DatasetSplits Read(string dataRoot) =>
        ImageFolderSplits.Read(Dataset, Guard, Path.Combine(dataRoot, "sun397", "train"), Path.Combine(dataRoot, "sun397", "val"), validationRoot: null);
}

namespace Atlas.Data.Datasets.Folders;

/// <summary>
/// EuroSAT as the atlas code reads it (<c>src/datasets/eurosat.py</c>): the RGB images of <c>2750/</c> split by the
/// atlas DATASETS.md script into <c>EuroSAT_splits/{train,val,test}</c>, one folder per land-use class
/// (AnnualCrop … SeaLake). Its own validation folder (<c>EuroSATVal</c>) and test folder.
/// </summary>
public sealed class EuroSatReader : IPaperDatasetReader
{
    /// <inheritdoc/>
    public PaperDataset Dataset => PaperDataset.EuroSat;

    /// <inheritdoc/>
    public string ExpectedLayout =>
        "EuroSAT_splits/train/<class>/*.jpg   10 class folders (AnnualCrop, Forest, …, SeaLake)\n" +
        "EuroSAT_splits/val/<class>/*.jpg     the same 10 folders, the validation split\n" +
        "EuroSAT_splits/test/<class>/*.jpg    the same 10 folders, the test split";

    private LayoutGuard Guard => new(Dataset, ExpectedLayout);

    private static string Split(string dataRoot, string split) => Path.Combine(dataRoot, "EuroSAT_splits", split);

    /// <inheritdoc/>
    public void CheckLayout(string dataRoot) =>
        ImageFolderSplits.Check(Guard, Split(dataRoot, "train"), Split(dataRoot, "val"), Split(dataRoot, "test"));

    /// <inheritdoc/>
    public DatasetSplits Read(string dataRoot) =>
        ImageFolderSplits.Read(Dataset, Guard, Split(dataRoot, "train"), Split(dataRoot, "test"), Split(dataRoot, "val"));
}

namespace Atlas.Data.Datasets.Folders;

/// <summary>
/// ImageNet-1k as the atlas code reads it (<c>src/datasets/imagenet.py</c>): <c>imagenet/train/&lt;wnid&gt;/</c> and
/// the validation images sorted into class folders (<c>imagenet/val_in_folder/&lt;wnid&gt;/</c>, or
/// <c>imagenet/val/&lt;wnid&gt;/</c> when that folder is absent, as the atlas code falls back), which is the test split.
/// Validation is the seeded random carve-out of train, capped at 5,000. Class names are CLIP's 1,000 names.
/// </summary>
public sealed class ImageNetReader : IPaperDatasetReader
{
    /// <inheritdoc/>
    public PaperDataset Dataset => PaperDataset.ImageNet;

    /// <inheritdoc/>
    public string ExpectedLayout =>
        "imagenet/train/<wnid>/*.JPEG           1000 class folders (n01440764 …)\n" +
        "imagenet/val_in_folder/<wnid>/*.JPEG   the 50,000 validation images in the same 1000 folders (valprep.sh), the test split\n" +
        "                                       (imagenet/val/<wnid>/ is used when val_in_folder is absent)";

    private LayoutGuard Guard => new(Dataset, ExpectedLayout);

    private static string TestRoot(string dataRoot)
    {
        string inFolder = Path.Combine(dataRoot, "imagenet", "val_in_folder");
        return Directory.Exists(inFolder) ? inFolder : Path.Combine(dataRoot, "imagenet", "val");
    }

    /// <inheritdoc/>
    public void CheckLayout(string dataRoot) =>
        ImageFolderSplits.Check(Guard, Path.Combine(dataRoot, "imagenet", "train"), TestRoot(dataRoot));

    /// <inheritdoc/>
    public DatasetSplits Read(string dataRoot) =>
        ImageFolderSplits.Read(Dataset, Guard, Path.Combine(dataRoot, "imagenet", "train"), TestRoot(dataRoot), validationRoot: null);
}

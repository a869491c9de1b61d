namespace Atlas.Data.Datasets.Folders;

/// <summary>
/// Country211 as the atlas code reads it (<c>src/datasets/country211.py</c>, torchvision's <c>Country211</c>): OpenAI's
/// <c>country211/{train,valid,test}</c>, one folder per ISO-3166 country code. Its own validation folder
/// (<c>valid</c>, <c>Country211Val</c>). Class names are the atlas code's list of country names.
/// </summary>
public sealed class Country211Reader : IPaperDatasetReader
{
    /// <inheritdoc/>
    public PaperDataset Dataset => PaperDataset.Country211;

    /// <inheritdoc/>
    public string ExpectedLayout =>
        "country211/train/<ISO code>/*.jpg   211 country folders (AD, AE, …, ZW)\n" +
        "country211/valid/<ISO code>/*.jpg   the same 211 folders, the validation split\n" +
        "country211/test/<ISO code>/*.jpg    the same 211 folders, the test split";

    private LayoutGuard Guard => new(Dataset, ExpectedLayout);

    private static string Split(string dataRoot, string split) => Path.Combine(dataRoot, "country211", split);

    /// <inheritdoc/>
    public void CheckLayout(string dataRoot) =>
        ImageFolderSplits.Check(Guard, Split(dataRoot, "train"), Split(dataRoot, "valid"), Split(dataRoot, "test"));

    /// <inheritdoc/>
    public DatasetSplits Read(string dataRoot) =>
        ImageFolderSplits.Read(Dataset, Guard, Split(dataRoot, "train"), Split(dataRoot, "test"), Split(dataRoot, "valid"));
}

using Atlas.Data.Images;

namespace Atlas.Data.Datasets.Folders;

/// <summary>
/// Caltech-101 as the atlas code reads it (<c>src/datasets/caltech.py</c>, after torchvision's <c>Caltech101</c>):
/// the categories are the sorted entries of <c>caltech101/101_ObjectCategories</c> without <c>BACKGROUND_Google</c>;
/// a category with n entries holds <c>image_0001.jpg</c> … <c>image_{n:04d}.jpg</c>, listed in that order. Test and
/// validation are seeded random splits (<see cref="CaltechSplit"/>). Class names keep the folder names' underscores
/// (<c>car_side</c>), as the atlas code's renaming only touches dots, hyphens and " 101".
/// </summary>
public sealed class Caltech101Reader : IPaperDatasetReader
{
    /// <inheritdoc/>
    public PaperDataset Dataset => PaperDataset.Caltech101;

    /// <inheritdoc/>
    public string ExpectedLayout =>
        "caltech101/101_ObjectCategories/<category>/image_0001.jpg …   102 folders: BACKGROUND_Google (dropped) and 101 categories\n" +
        "                                                               (Faces, Faces_easy, Leopards, …), nothing but the images in each";

    private LayoutGuard Guard => new(Dataset, ExpectedLayout);

    private static string Root(string dataRoot) => Path.Combine(dataRoot, "caltech101", "101_ObjectCategories");

    /// <inheritdoc/>
    public void CheckLayout(string dataRoot) => Categories(Guard, dataRoot);

    /// <inheritdoc/>
    public DatasetSplits Read(string dataRoot)
    {
        LayoutGuard guard = Guard;
        var (root, categories, names) = Categories(guard, dataRoot);
        var samples = new List<LabelledImage>();
        for (int label = 0; label < categories.Length; label++)
        {
            string folder = Path.Combine(root, categories[label]);
            int count = Directory.EnumerateFileSystemEntries(folder).Count();
            for (int i = 1; i <= count; i++)
            {
                samples.Add(new LabelledImage(new ImageFile(Path.GetFullPath(Path.Combine(folder, $"image_{i:D4}.jpg"))), label));
            }
        }
        CaltechSplit.RequireFiles(guard, samples);
        return CaltechSplit.Cut(Dataset, names, samples);
    }

    private static (string Root, string[] Categories, IReadOnlyList<string> Names) Categories(LayoutGuard guard, string dataRoot)
    {
        string root = guard.Folder(Root(dataRoot));
        // os.listdir lists files too; the atlas code sorts every entry and removes the background folder.
        var entries = Directory.EnumerateFileSystemEntries(root).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        if (!entries.Remove("BACKGROUND_Google"))
        {
            throw guard.Fail(Path.Combine(root, "BACKGROUND_Google"), "missing folder (the atlas code removes it from the categories)");
        }
        string[] categories = entries.ToArray()!;
        return (root, categories, guard.ClassNames(root, categories.Length));
    }
}

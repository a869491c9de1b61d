using Atlas.Data.Images;

namespace Atlas.Data.Datasets.Folders;

/// <summary>
/// Caltech-256 as the atlas code reads it (<c>src/datasets/caltech.py</c>, after torchvision's <c>Caltech256</c>): the
/// categories are the sorted entries of <c>caltech256/256_ObjectCategories</c> (<c>001.ak47</c> … <c>257.clutter</c>,
/// clutter included); category k (0-based) with n <c>.jpg</c> files holds <c>{k+1:03d}_0001.jpg</c> …
/// <c>{k+1:03d}_{n:04d}.jpg</c>, listed in that order. Test and validation are seeded random splits
/// (<see cref="CaltechSplit"/>).
/// </summary>
public sealed class Caltech256Reader : IPaperDatasetReader
{
    /// <inheritdoc/>
    public PaperDataset Dataset => PaperDataset.Caltech256;

    /// <inheritdoc/>
    public string ExpectedLayout =>
        "caltech256/256_ObjectCategories/<nnn>.<category>/<nnn>_0001.jpg …   257 folders, 001.ak47 … 257.clutter";

    private LayoutGuard Guard => new(Dataset, ExpectedLayout);

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
            int count = Directory.EnumerateFileSystemEntries(folder).Count(e => e.EndsWith(".jpg", StringComparison.Ordinal));
            for (int i = 1; i <= count; i++)
            {
                samples.Add(new LabelledImage(new ImageFile(Path.GetFullPath(Path.Combine(folder, $"{label + 1:D3}_{i:D4}.jpg"))), label));
            }
        }
        CaltechSplit.RequireFiles(guard, samples);
        return CaltechSplit.Cut(Dataset, names, samples);
    }

    private static (string Root, string[] Categories, IReadOnlyList<string> Names) Categories(LayoutGuard guard, string dataRoot)
    {
        string root = guard.Folder(Path.Combine(dataRoot, "caltech256", "256_ObjectCategories"));
        string[] categories = Directory.EnumerateFileSystemEntries(root).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        return (root, categories, guard.ClassNames(root, categories.Length));
    }
}

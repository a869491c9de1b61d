using Atlas.Data.Images;

namespace Atlas.Data.Datasets.Folders;

/// <summary>
/// FGVC-Aircraft 2013b as the atlas code reads it (<c>src/datasets/fgvc_aircraft.py</c>, torchvision's
/// <c>FGVCAircraft</c>, variant level): classes are the lines of <c>data/variants.txt</c>; a split is
/// <c>data/images_variant_{split}.txt</c>, lines "<c>&lt;image id&gt; &lt;variant&gt;</c>" (the variant may hold
/// spaces) naming <c>data/images/&lt;id&gt;.jpg</c>. Train is <c>train</c> (not trainval), validation the dataset's
/// own <c>val</c> (<c>FGVCAircraftVal</c>), test <c>test</c>.
/// </summary>
public sealed class FgvcAircraftReader : IPaperDatasetReader
{
    /// <inheritdoc/>
    public PaperDataset Dataset => PaperDataset.FgvcAircraft;

    /// <inheritdoc/>
    public string ExpectedLayout =>
        "fgvc-aircraft-2013b/data/images/<id>.jpg\n" +
        "fgvc-aircraft-2013b/data/variants.txt                 100 variant names, one per line\n" +
        "fgvc-aircraft-2013b/data/images_variant_train.txt     lines \"<id> <variant>\", e.g. \"1025794 707-320\"\n" +
        "fgvc-aircraft-2013b/data/images_variant_val.txt\n" +
        "fgvc-aircraft-2013b/data/images_variant_test.txt";

    private LayoutGuard Guard => new(Dataset, ExpectedLayout);

    private static string Data(string dataRoot) => Path.Combine(dataRoot, "fgvc-aircraft-2013b", "data");

    /// <inheritdoc/>
    public void CheckLayout(string dataRoot)
    {
        LayoutGuard guard = Guard;
        guard.Folder(Path.Combine(Data(dataRoot), "images"));
        Variants(guard, dataRoot);
        foreach (string split in new[] { "train", "val", "test" })
        {
            string list = Path.Combine(Data(dataRoot), $"images_variant_{split}.txt");
            if (!guard.FirstLine(list).Trim().Contains(' '))
            {
                throw guard.Fail(list, "line 1 is not \"<image id> <variant>\"");
            }
        }
    }

    /// <inheritdoc/>
    public DatasetSplits Read(string dataRoot)
    {
        LayoutGuard guard = Guard;
        guard.Folder(Path.Combine(Data(dataRoot), "images"));
        var (variants, names) = Variants(guard, dataRoot);
        var labels = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < variants.Count; i++)
        {
            labels[variants[i]] = i; // dict(zip(...)): a repeated name keeps its last position
        }
        return new DatasetSplits(Dataset, names,
            ReadSplit(guard, dataRoot, "train", labels), ReadSplit(guard, dataRoot, "val", labels), ReadSplit(guard, dataRoot, "test", labels));
    }

    private static (List<string> Variants, IReadOnlyList<string> Names) Variants(LayoutGuard guard, string dataRoot)
    {
        string path = Path.Combine(Data(dataRoot), "variants.txt");
        guard.FirstLine(path);
        var variants = File.ReadLines(path).Select(l => l.Trim()).ToList();
        // A trailing newline ends the last line; Python's `for line in f` yields no empty line for it.
        return (variants, guard.ClassNames(path, variants.Count));
    }

    private static List<LabelledImage> ReadSplit(LayoutGuard guard, string dataRoot, string split, Dictionary<string, int> labels)
    {
        string list = Path.Combine(Data(dataRoot), $"images_variant_{split}.txt");
        guard.FirstLine(list);
        string images = Path.GetFullPath(Path.Combine(Data(dataRoot), "images"));
        var samples = new List<LabelledImage>();
        int number = 0;
        foreach (string raw in File.ReadLines(list))
        {
            number++;
            string line = raw.Trim();
            int space = line.IndexOf(' ');
            if (space <= 0)
            {
                throw guard.Fail(list, $"line {number} is not \"<image id> <variant>\": '{raw}'");
            }
            string variant = line[(space + 1)..];
            if (!labels.TryGetValue(variant, out int label))
            {
                throw guard.Fail(list, $"line {number} names variant '{variant}', which variants.txt does not list");
            }
            samples.Add(new LabelledImage(new ImageFile(Path.Combine(images, $"{line[..space]}.jpg")), label));
        }
        return samples;
    }
}

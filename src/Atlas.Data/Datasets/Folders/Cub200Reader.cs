using Atlas.Data.Images;

namespace Atlas.Data.Datasets.Folders;

/// <summary>
/// CUB-200-2011 as the atlas code reads it (<c>src/datasets/cub2011.py</c>): <c>images.txt</c> ("<c>id path</c>")
/// joined on the image id with <c>image_class_labels.txt</c> ("<c>id class</c>", 1-based) and
/// <c>train_test_split.txt</c> ("<c>id is_training</c>"), in <c>images.txt</c>'s order (pandas' inner merge keeps the
/// left order); train = is_training 1, test = 0; label = class − 1; images under <c>CUB_200_2011/images/</c>.
/// Validation is the seeded random 10% of train.
/// </summary>
public sealed class Cub200Reader : IPaperDatasetReader
{
    /// <inheritdoc/>
    public PaperDataset Dataset => PaperDataset.Cub200;

    /// <inheritdoc/>
    public string ExpectedLayout =>
        "CUB_200_2011/images/<nnn>.<Species>/<file>.jpg\n" +
        "CUB_200_2011/images.txt                lines \"<image id> <path under images/>\"\n" +
        "CUB_200_2011/image_class_labels.txt    lines \"<image id> <class id 1-200>\"\n" +
        "CUB_200_2011/train_test_split.txt      lines \"<image id> <1 = train, 0 = test>\"\n" +
        "CUB_200_2011/classes.txt               lines \"<class id> <nnn>.<Species>\" (200)";

    private LayoutGuard Guard => new(Dataset, ExpectedLayout);

    private static string Root(string dataRoot) => Path.Combine(dataRoot, "CUB_200_2011");

    /// <inheritdoc/>
    public void CheckLayout(string dataRoot)
    {
        LayoutGuard guard = Guard;
        guard.Folder(Path.Combine(Root(dataRoot), "images"));
        foreach (string file in new[] { "images.txt", "image_class_labels.txt", "train_test_split.txt", "classes.txt" })
        {
            string path = Path.Combine(Root(dataRoot), file);
            Pair(guard, path, 1, guard.FirstLine(path));
        }
    }

    /// <inheritdoc/>
    public DatasetSplits Read(string dataRoot)
    {
        LayoutGuard guard = Guard;
        string root = Root(dataRoot);
        string images = Path.GetFullPath(guard.Folder(Path.Combine(root, "images")));
        string classesFile = Path.Combine(root, "classes.txt");
        IReadOnlyList<string> names = guard.ClassNames(classesFile, Table(guard, classesFile).Count);
        var labels = Table(guard, Path.Combine(root, "image_class_labels.txt")).ToLookup(p => p.Key, p => p.Value);
        var isTraining = Table(guard, Path.Combine(root, "train_test_split.txt")).ToLookup(p => p.Key, p => p.Value);
        var train = new List<LabelledImage>();
        var test = new List<LabelledImage>();
        string labelsFile = Path.Combine(root, "image_class_labels.txt");
        foreach (var (id, path) in Table(guard, Path.Combine(root, "images.txt")))
        {
            // An inner join: one row per matching pair, none for an id missing from either table.
            foreach (string classText in labels[id])
            {
                if (!int.TryParse(classText, out int classId) || classId < 1 || classId > names.Count)
                {
                    throw guard.Fail(labelsFile, $"image {id} has class '{classText}', expected 1..{names.Count}");
                }
                foreach (string flag in isTraining[id])
                {
                    var sample = new LabelledImage(new ImageFile(Path.Combine([images, .. path.Split('/')])), classId - 1);
                    if (flag == "1")
                    {
                        train.Add(sample);
                    }
                    else if (flag == "0")
                    {
                        test.Add(sample);
                    }
                }
            }
        }
        var (kept, held) = SeededRandomSplit.CarveValidation(train);
        return new DatasetSplits(Dataset, names, kept, held, test)
        {
            CarvedValidation = ValidationSplitIndices.Atlas(Dataset, train.Count),
        };
    }

    /// <summary>The "<c>key value</c>" rows of a space-separated file, in order.</summary>
    private static List<KeyValuePair<string, string>> Table(LayoutGuard guard, string path)
    {
        guard.FirstLine(path);
        var rows = new List<KeyValuePair<string, string>>();
        int number = 0;
        foreach (string line in File.ReadLines(path))
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }
            rows.Add(Pair(guard, path, number, line));
        }
        return rows;
    }

    private static KeyValuePair<string, string> Pair(LayoutGuard guard, string path, int number, string line)
    {
        string[] fields = line.TrimEnd('\r').Split(' ');
        if (fields.Length != 2 || fields[0].Length == 0 || fields[1].Length == 0)
        {
            throw guard.Fail(path, $"line {number} is not two space-separated fields: '{line}'");
        }
        return new(fields[0], fields[1]);
    }
}

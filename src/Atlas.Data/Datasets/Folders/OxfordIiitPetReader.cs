using Atlas.Data.Images;

namespace Atlas.Data.Datasets.Folders;

/// <summary>
/// Oxford-IIIT Pet as the atlas code reads it (<c>src/datasets/oxford_pets.py</c>, torchvision's
/// <c>OxfordIIITPet</c>): <c>oxford-iiit-pet/annotations/{trainval,test}.txt</c>, lines
/// "<c>&lt;image id&gt; &lt;class id 1–37&gt; &lt;species&gt; &lt;breed id&gt;</c>" naming
/// <c>oxford-iiit-pet/images/&lt;image id&gt;.jpg</c>, label = class id − 1. Train is <c>trainval</c>; validation is
/// its seeded random 10%.
/// </summary>
public sealed class OxfordIiitPetReader : IPaperDatasetReader
{
    /// <inheritdoc/>
    public PaperDataset Dataset => PaperDataset.OxfordIiitPet;

    /// <inheritdoc/>
    public string ExpectedLayout =>
        "oxford-iiit-pet/images/<image id>.jpg\n" +
        "oxford-iiit-pet/annotations/trainval.txt   lines \"<image id> <class id 1-37> <species> <breed id>\", e.g. \"Abyssinian_100 1 1 1\"\n" +
        "oxford-iiit-pet/annotations/test.txt       the same for the test split";

    private LayoutGuard Guard => new(Dataset, ExpectedLayout);

    /// <inheritdoc/>
    public void CheckLayout(string dataRoot)
    {
        LayoutGuard guard = Guard;
        guard.Folder(Path.Combine(dataRoot, "oxford-iiit-pet", "images"));
        foreach (string split in new[] { "trainval", "test" })
        {
            string list = Path.Combine(dataRoot, "oxford-iiit-pet", "annotations", $"{split}.txt");
            Parse(guard, list, 1, guard.FirstLine(list));
        }
    }

    /// <inheritdoc/>
    public DatasetSplits Read(string dataRoot)
    {
        LayoutGuard guard = Guard;
        guard.Folder(Path.Combine(dataRoot, "oxford-iiit-pet", "images"));
        var (train, trainClasses) = ReadSplit(guard, dataRoot, "trainval");
        IReadOnlyList<string> names = guard.ClassNames(Path.Combine(dataRoot, "oxford-iiit-pet", "annotations", "trainval.txt"), trainClasses);
        var (test, _) = ReadSplit(guard, dataRoot, "test");
        var (kept, held) = SeededRandomSplit.CarveValidation(train);
        return new DatasetSplits(Dataset, names, kept, held, test)
        {
            CarvedValidation = ValidationSplitIndices.Atlas(Dataset, train.Count),
        };
    }

    private static (List<LabelledImage> Samples, int ClassCount) ReadSplit(LayoutGuard guard, string dataRoot, string split)
    {
        string list = Path.Combine(dataRoot, "oxford-iiit-pet", "annotations", $"{split}.txt");
        guard.FirstLine(list);
        string images = Path.GetFullPath(Path.Combine(dataRoot, "oxford-iiit-pet", "images"));
        var samples = new List<LabelledImage>();
        // The atlas code's classes are the distinct (breed name, label) pairs of the split.
        var classes = new HashSet<(string, int)>();
        int number = 0;
        foreach (string line in File.ReadLines(list))
        {
            number++;
            var (id, label) = Parse(guard, list, number, line);
            int cut = id.LastIndexOf('_');
            classes.Add((cut < 0 ? id : id[..cut], label));
            samples.Add(new LabelledImage(new ImageFile(Path.Combine(images, $"{id}.jpg")), label));
        }
        return (samples, classes.Count);
    }

    private static (string Id, int Label) Parse(LayoutGuard guard, string list, int number, string line)
    {
        string[] fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 2 || !int.TryParse(fields[1], out int classId) || classId < 1)
        {
            throw guard.Fail(list, $"line {number} is not \"<image id> <class id 1-37> ...\": '{line}'");
        }
        return (fields[0], classId - 1);
    }
}

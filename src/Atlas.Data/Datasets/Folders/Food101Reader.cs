using System.Text.Json;
using Atlas.Data.Images;

namespace Atlas.Data.Datasets.Folders;

/// <summary>
/// Food-101 as the atlas code reads it (<c>src/datasets/food.py</c>, torchvision's <c>Food101</c>):
/// <c>food-101/meta/{train,test}.json</c> map each class to its images (<c>"apple_pie/1005649"</c> →
/// <c>food-101/images/apple_pie/1005649.jpg</c>). Labels are positions in the sorted class names; samples come in the
/// JSON file's order (class by class as the file lists them). Validation is the seeded random carve-out of train
/// (5,000).
/// </summary>
public sealed class Food101Reader : IPaperDatasetReader
{
    /// <inheritdoc/>
    public PaperDataset Dataset => PaperDataset.Food101;

    /// <inheritdoc/>
    public string ExpectedLayout =>
        "food-101/images/<class>/<id>.jpg   101 class folders\n" +
        "food-101/meta/train.json           {\"apple_pie\": [\"apple_pie/1005649\", …], …} (750 images per class)\n" +
        "food-101/meta/test.json            the same for the test split (250 per class)";

    private LayoutGuard Guard => new(Dataset, ExpectedLayout);

    /// <inheritdoc/>
    public void CheckLayout(string dataRoot)
    {
        LayoutGuard guard = Guard;
        guard.Folder(Path.Combine(dataRoot, "food-101", "images"));
        foreach (string split in new[] { "train", "test" })
        {
            string meta = Path.Combine(dataRoot, "food-101", "meta", $"{split}.json");
            if (!guard.FirstLine(meta).TrimStart().StartsWith('{'))
            {
                throw guard.Fail(meta, "not a JSON object");
            }
        }
    }

    /// <inheritdoc/>
    public DatasetSplits Read(string dataRoot)
    {
        LayoutGuard guard = Guard;
        guard.Folder(Path.Combine(dataRoot, "food-101", "images"));
        var (classes, train) = ReadSplit(guard, dataRoot, "train");
        IReadOnlyList<string> names = guard.ClassNames(Path.Combine(dataRoot, "food-101", "meta", "train.json"), classes.Count);
        var (testClasses, test) = ReadSplit(guard, dataRoot, "test");
        if (!testClasses.SequenceEqual(classes))
        {
            throw guard.Fail(Path.Combine(dataRoot, "food-101", "meta", "test.json"), "its classes differ from train.json's");
        }
        var (kept, held) = SeededRandomSplit.CarveValidation(train);
        return new DatasetSplits(Dataset, names, kept, held, test)
        {
            CarvedValidation = ValidationSplitIndices.Atlas(Dataset, train.Count),
        };
    }

    private static (List<string> Classes, List<LabelledImage> Samples) ReadSplit(LayoutGuard guard, string dataRoot, string split)
    {
        string meta = guard.File(Path.Combine(dataRoot, "food-101", "meta", $"{split}.json"));
        string images = Path.GetFullPath(Path.Combine(dataRoot, "food-101", "images"));
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(meta));
        }
        catch (JsonException e)
        {
            throw guard.Fail(meta, $"not valid JSON ({e.Message})");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw guard.Fail(meta, "not a JSON object of class → image list");
            }
            var classes = document.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
            var labels = classes.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
            var samples = new List<LabelledImage>();
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.Array)
                {
                    throw guard.Fail(meta, $"class '{property.Name}' does not map to a list of image names");
                }
                foreach (JsonElement item in property.Value.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                    {
                        throw guard.Fail(meta, $"class '{property.Name}' lists a non-string entry {item.GetRawText()}");
                    }
                    string path = Path.Combine([images, .. $"{item.GetString()}.jpg".Split('/')]);
                    samples.Add(new LabelledImage(new ImageFile(path), labels[property.Name]));
                }
            }
            return (classes, samples);
        }
    }
}

using System.Text.Json;
using Atlas.Data.Images;

namespace Atlas.Data.Datasets.Folders;

/// <summary>
/// UCF101 as the atlas code reads it (<c>src/datasets/ucf101.py</c>): the middle frame of every video
/// (<c>UCF-101-midframes/&lt;Class_Name&gt;/*.jpg</c>) and CoOp's split file <c>split_zhou_UCF101.json</c>,
/// <c>{"train": [[relative path, label, class name], …], "val": …, "test": …}</c>, samples in the file's order.
/// Its own validation split (<c>UCF101Val</c>). The atlas code names classes in order of first appearance in
/// <c>train</c>; the reader requires that order to be label order, so those names are the labels' names.
/// </summary>
public sealed class Ucf101Reader : IPaperDatasetReader
{
    /// <inheritdoc/>
    public PaperDataset Dataset => PaperDataset.Ucf101;

    /// <inheritdoc/>
    public string ExpectedLayout =>
        "UCF-101-midframes/<Class_Name>/*.jpg          101 class folders of middle frames (Apply_Eye_Makeup, …)\n" +
        "UCF-101-midframes/split_zhou_UCF101.json      {\"train\": [[\"Apply_Eye_Makeup/v_ApplyEyeMakeup_g08_c01.jpg\", 0, \"Apply_Eye_Makeup\"], …], \"val\": […], \"test\": […]}";

    private LayoutGuard Guard => new(Dataset, ExpectedLayout);

    private static string Root(string dataRoot) => Path.Combine(dataRoot, "UCF-101-midframes");

    private static string SplitFile(string dataRoot) => Path.Combine(Root(dataRoot), "split_zhou_UCF101.json");

    /// <inheritdoc/>
    public void CheckLayout(string dataRoot)
    {
        LayoutGuard guard = Guard;
        guard.Folder(Root(dataRoot));
        if (!guard.FirstLine(SplitFile(dataRoot)).TrimStart().StartsWith('{'))
        {
            throw guard.Fail(SplitFile(dataRoot), "not a JSON object");
        }
    }

    /// <inheritdoc/>
    public DatasetSplits Read(string dataRoot)
    {
        LayoutGuard guard = Guard;
        string root = Path.GetFullPath(guard.Folder(Root(dataRoot)));
        string file = guard.File(SplitFile(dataRoot));
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(file));
        }
        catch (JsonException e)
        {
            throw guard.Fail(file, $"not valid JSON ({e.Message})");
        }
        using (document)
        {
            var (train, classCount) = ReadSplit(guard, file, root, document.RootElement, "train", requireLabelOrder: true);
            IReadOnlyList<string> names = guard.ClassNames(file, classCount);
            var (validation, _) = ReadSplit(guard, file, root, document.RootElement, "val");
            var (test, _) = ReadSplit(guard, file, root, document.RootElement, "test");
            return new DatasetSplits(Dataset, names, train, validation, test);
        }
    }

    private static (List<LabelledImage> Samples, int ClassCount) ReadSplit(LayoutGuard guard, string file, string root, JsonElement json, string split, bool requireLabelOrder = false)
    {
        if (json.ValueKind != JsonValueKind.Object || !json.TryGetProperty(split, out JsonElement entries) || entries.ValueKind != JsonValueKind.Array)
        {
            throw guard.Fail(file, $"no \"{split}\" list");
        }
        var samples = new List<LabelledImage>();
        var classNames = new List<string>();
        int index = 0;
        foreach (JsonElement entry in entries.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() < 3
                || entry[0].ValueKind != JsonValueKind.String || !entry[1].TryGetInt32(out int label) || label < 0
                || entry[2].ValueKind != JsonValueKind.String)
            {
                throw guard.Fail(file, $"{split}[{index}] is not [relative path, label, class name]: {entry.GetRawText()}");
            }
            string name = entry[2].GetString()!;
            if (!classNames.Contains(name))
            {
                if (requireLabelOrder && label != classNames.Count)
                {
                    throw guard.Fail(file, $"{split}[{index}]: class '{name}' first appears with label {label}, expected {classNames.Count} (class names follow first appearance)");
                }
                classNames.Add(name);
            }
            samples.Add(new LabelledImage(new ImageFile(Path.Combine([root, .. entry[0].GetString()!.Split('/')])), label));
            index++;
        }
        return (samples, classNames.Count);
    }
}

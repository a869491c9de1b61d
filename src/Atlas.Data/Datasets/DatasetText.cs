using System.Reflection;
using System.Runtime.Serialization;

namespace Atlas.Data.Datasets;

/// <summary>
/// The text side of each paper dataset, kept as data files embedded in this assembly: the class names its zero-shot
/// head is built from (<c>Text/&lt;dataset&gt;.classes.txt</c>, one per line, index = label) and the paper's prompt
/// templates (<c>Text/&lt;dataset&gt;.templates.txt</c>, one per line, <c>{c}</c> standing for a class name). File
/// names use the dataset's spec spelling (<see cref="EnumMemberAttribute"/>), e.g. <c>fgvc_aircraft.classes.txt</c>.
/// </summary>
public static class DatasetText
{
    /// <summary>The class names of <paramref name="dataset"/>, index = label.</summary>
    public static IReadOnlyList<string> ClassNames(PaperDataset dataset) => Lines(dataset, "classes");

    /// <summary>The paper's prompt templates for <paramref name="dataset"/>, each holding <c>{c}</c> once or more.</summary>
    public static IReadOnlyList<string> Templates(PaperDataset dataset) => Lines(dataset, "templates");

    /// <summary>The spec spelling of <paramref name="dataset"/> (its <see cref="EnumMemberAttribute"/> value).</summary>
    public static string NameOf(PaperDataset dataset) =>
        typeof(PaperDataset).GetField(dataset.ToString())!.GetCustomAttribute<EnumMemberAttribute>()!.Value!;

    /// <summary>The dataset a spec spells <paramref name="name"/>, or null when no dataset is spelt so.</summary>
    public static PaperDataset? FromName(string name) =>
        Enum.GetValues<PaperDataset>().Cast<PaperDataset?>().FirstOrDefault(dataset => NameOf(dataset!.Value) == name);

    private static IReadOnlyList<string> Lines(PaperDataset dataset, string kind)
    {
        string resource = $"Atlas.Data.Datasets.Text.{NameOf(dataset)}.{kind}.txt";
        using Stream stream = typeof(DatasetText).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"No embedded {kind} file for dataset '{NameOf(dataset)}' ({resource}).");
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0) lines.Add(line);
        }
        return lines;
    }
}

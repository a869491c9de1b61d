namespace Atlas.Data.Datasets;

/// <summary>
/// One reader's layout checks, shared by every paper dataset reader: each failing check throws a
/// <see cref="DatasetLayoutException"/> naming the dataset, the path and the reader's whole expected layout.
/// </summary>
internal sealed class LayoutGuard(PaperDataset dataset, string expectedLayout)
{
    /// <summary><paramref name="path"/>, which must be an existing folder.</summary>
    public string Folder(string path) =>
        Directory.Exists(path) ? path : throw Fail(path, "missing folder");

    /// <summary><paramref name="path"/>, which must be an existing file.</summary>
    public string File(string path) =>
        System.IO.File.Exists(path) ? path
        : throw Fail(path, Directory.Exists(path) ? "expected a file, found a folder" : "missing file");

    /// <summary>The first non-empty line of <paramref name="path"/> (an existing text file), or a failure if it has none.</summary>
    public string FirstLine(string path)
    {
        File(path);
        foreach (string line in System.IO.File.ReadLines(path))
        {
            if (line.Trim().Length > 0)
            {
                return line;
            }
        }
        throw Fail(path, "empty file");
    }

    /// <summary>
    /// Checks that <paramref name="found"/> classes were found at <paramref name="path"/>, as many as the dataset's class
    /// names (<see cref="DatasetText.ClassNames"/>), and returns those names.
    /// </summary>
    public IReadOnlyList<string> ClassNames(string path, int found)
    {
        IReadOnlyList<string> names = DatasetText.ClassNames(dataset);
        if (found != names.Count)
        {
            throw Fail(path, $"found {found} classes, expected {names.Count}");
        }
        return names;
    }

    /// <summary>
    /// The embedded class names, after checking that the names a dataset ships (<paramref name="onDisk"/>, read from
    /// <paramref name="path"/>: CIFAR's meta, STL-10's class_names.txt, Cars' cars_meta.mat) equal them.
    /// </summary>
    public IReadOnlyList<string> MatchingClassNames(IReadOnlyList<string> onDisk, string path)
    {
        IReadOnlyList<string> embedded = DatasetText.ClassNames(dataset);
        if (onDisk.Count != embedded.Count)
        {
            throw Fail(path, $"{onDisk.Count} class names, expected {embedded.Count}");
        }
        for (int i = 0; i < embedded.Count; i++)
        {
            if (onDisk[i] != embedded[i])
            {
                throw Fail(path, $"class {i} is '{onDisk[i]}', expected '{embedded[i]}'");
            }
        }
        return embedded;
    }

    /// <summary>Throws unless every label is a valid class index.</summary>
    public void LabelsInRange(IEnumerable<int> labels, int classCount, string path)
    {
        foreach (int label in labels)
        {
            if (label < 0 || label >= classCount)
            {
                throw Fail(path, $"label {label} is outside 0..{classCount - 1}");
            }
        }
    }

    /// <summary>Runs <paramref name="read"/>, turning a malformed file's <see cref="InvalidDataException"/> into a layout error.</summary>
    public T Parse<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or OverflowException)
        {
            throw Fail(path, $"malformed file ({e.Message})");
        }
    }

    /// <summary>A layout failure at <paramref name="path"/>.</summary>
    public DatasetLayoutException Fail(string path, string problem) => new(dataset, path, problem, expectedLayout);
}

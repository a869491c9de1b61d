namespace Atlas.Data.Datasets.Folders;

/// <summary>
/// One reader's layout checks: each failing check throws a <see cref="DatasetLayoutException"/> naming the dataset, the
/// path and the reader's whole expected layout.
/// </summary>
internal sealed class LayoutGuard(PaperDataset dataset, string expectedLayout)
{
    /// <summary><paramref name="path"/>, which must be an existing folder.</summary>
    public string Folder(string path) =>
        Directory.Exists(path) ? path : throw Fail(path, "missing folder");

    /// <summary><paramref name="path"/>, which must be an existing file.</summary>
    public string File(string path) =>
        System.IO.File.Exists(path) ? path : throw Fail(path, "missing file");

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

    /// <summary>A layout failure at <paramref name="path"/>.</summary>
    public DatasetLayoutException Fail(string path, string problem) => new(dataset, path, problem, expectedLayout);
}

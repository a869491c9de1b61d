namespace Atlas.Data.Datasets.MatData;

/// <summary>
/// The layout checks the array and annotation-file readers share: a required file or folder, a malformed file turned
/// into a <see cref="DatasetLayoutException"/> naming the dataset, the path and the expected layout, and the check that
/// class names a dataset ships (CIFAR's meta, STL-10's class_names.txt, Cars' cars_meta.mat) are the embedded ones.
/// </summary>
internal sealed class LayoutGuard(PaperDataset dataset, string expectedLayout)
{
    /// <summary>Throws unless <paramref name="path"/> is an existing file; returns it.</summary>
    public string File(string path)
    {
        if (!System.IO.File.Exists(path))
        {
            throw Missing(path, Directory.Exists(path) ? "expected a file, found a folder" : "missing file");
        }
        return path;
    }

    /// <summary>Throws unless <paramref name="path"/> is an existing folder; returns it.</summary>
    public string Folder(string path)
    {
        if (!Directory.Exists(path))
        {
            throw Missing(path, "missing folder");
        }
        return path;
    }

    /// <summary>A layout error for <paramref name="path"/>.</summary>
    public DatasetLayoutException Missing(string path, string problem) => new(dataset, path, problem, expectedLayout);

    /// <summary>Runs <paramref name="read"/>, turning a malformed file's <see cref="InvalidDataException"/> into a layout error.</summary>
    public T Parse<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or OverflowException)
        {
            throw new DatasetLayoutException(dataset, path, $"malformed file ({e.Message})", expectedLayout);
        }
    }

    /// <summary>The embedded class names, after checking that <paramref name="onDisk"/> (read from <paramref name="path"/>) equals them.</summary>
    public IReadOnlyList<string> MatchingClassNames(IReadOnlyList<string> onDisk, string path)
    {
        IReadOnlyList<string> embedded = DatasetText.ClassNames(dataset);
        if (onDisk.Count != embedded.Count)
        {
            throw Missing(path, $"{onDisk.Count} class names, expected {embedded.Count}");
        }
        for (int i = 0; i < embedded.Count; i++)
        {
            if (onDisk[i] != embedded[i])
            {
                throw Missing(path, $"class {i} is '{onDisk[i]}', expected '{embedded[i]}'");
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
                throw Missing(path, $"label {label} is outside 0..{classCount - 1}");
            }
        }
    }
}

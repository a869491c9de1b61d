namespace Atlas.Data.Datasets;

/// <summary>
/// A dataset folder is missing or does not have the layout its reader expects. Thrown by
/// <see cref="IPaperDatasetReader.CheckLayout"/> before any stage runs; the message names the dataset, the path that
/// failed and the whole expected layout, so a user can fix the folder in one go.
/// </summary>
public sealed class DatasetLayoutException : Exception
{
    /// <summary>Builds the message from its parts.</summary>
    public DatasetLayoutException(PaperDataset dataset, string path, string problem, string expectedLayout)
        : base($"Dataset '{DatasetText.NameOf(dataset)}': {problem}: {path}\nExpected layout under the data root:\n{expectedLayout}")
    {
        Dataset = dataset;
        Path = path;
        ExpectedLayout = expectedLayout;
    }

    /// <summary>The dataset whose folder failed.</summary>
    public PaperDataset Dataset { get; }

    /// <summary>The file or folder that is missing or malformed.</summary>
    public string Path { get; }

    /// <summary>The layout the reader expects, one path per line, relative to the data root.</summary>
    public string ExpectedLayout { get; }
}

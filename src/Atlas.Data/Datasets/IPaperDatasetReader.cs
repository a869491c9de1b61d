namespace Atlas.Data.Datasets;

/// <summary>
/// Reads one of the paper's datasets from the on-disk layout the atlas code expects under its data root
/// (<c>--data-location</c>). Readers list samples and labels; they never decode images (see
/// <see cref="Images.ImageRef"/>) and never execute code from data files (pickles and MATLAB files are parsed as data).
/// </summary>
public interface IPaperDatasetReader
{
    /// <summary>The dataset this reader reads.</summary>
    PaperDataset Dataset { get; }

    /// <summary>The expected layout, one path per line relative to the data root, as error messages print it.</summary>
    string ExpectedLayout { get; }

    /// <summary>
    /// Checks, cheaply (existence and headers, not every image), that <paramref name="dataRoot"/> holds this dataset in
    /// the expected layout. Throws <see cref="DatasetLayoutException"/> naming the first missing or malformed path.
    /// </summary>
    void CheckLayout(string dataRoot);

    /// <summary>Reads class names and the three parts. Throws <see cref="DatasetLayoutException"/> on a malformed folder.</summary>
    DatasetSplits Read(string dataRoot);
}

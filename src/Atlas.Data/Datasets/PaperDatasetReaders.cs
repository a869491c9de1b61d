using Atlas.Data.Datasets.Folders;

namespace Atlas.Data.Datasets;

/// <summary>
/// The reader of each paper dataset. Holds the 14 folder- and list-layout readers (<see cref="Folders"/>); the 8
/// array-format readers (MNIST, SVHN, CIFAR-10/100, STL-10, GTSRB, Cars, Flowers102) join this table when they land.
/// </summary>
public static class PaperDatasetReaders
{
    private static readonly IReadOnlyDictionary<PaperDataset, IPaperDatasetReader> Readers =
        new IPaperDatasetReader[]
        {
            new DtdReader(),
            new EuroSatReader(),
            new Resisc45Reader(),
            new Sun397Reader(),
            new ImageNetReader(),
            new Food101Reader(),
            new Caltech101Reader(),
            new Caltech256Reader(),
            new FgvcAircraftReader(),
            new OxfordIiitPetReader(),
            new Cub200Reader(),
            new PascalVocReader(),
            new Country211Reader(),
            new Ucf101Reader(),
        }.ToDictionary(r => r.Dataset);

    /// <summary>The datasets that have a reader.</summary>
    public static IEnumerable<PaperDataset> Available => Readers.Keys;

    /// <summary>The reader of <paramref name="dataset"/>.</summary>
    public static IPaperDatasetReader For(PaperDataset dataset) =>
        Readers.TryGetValue(dataset, out IPaperDatasetReader? reader)
            ? reader
            : throw new NotSupportedException($"No reader for dataset '{DatasetText.NameOf(dataset)}' yet.");
}

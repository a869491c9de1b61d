using Atlas.Data.Datasets.Folders;
using Atlas.Data.Datasets.MatData;

namespace Atlas.Data.Datasets;

/// <summary>
/// The reader of each of the 22 paper datasets: 14 folder- and list-layout readers (<see cref="Folders"/>) and 8
/// readers of array, pickle, binary and MATLAB files (<see cref="MatData"/>: MNIST, SVHN, CIFAR-10/100, STL-10, GTSRB,
/// Cars, Flowers102).
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
            new MnistReader(),
            new SvhnReader(),
            new Cifar10Reader(),
            new Cifar100Reader(),
            new Stl10Reader(),
            new GtsrbReader(),
            new CarsReader(),
            new Flowers102Reader(),
        }.ToDictionary(r => r.Dataset);

    /// <summary>The datasets that have a reader.</summary>
    public static IEnumerable<PaperDataset> Available => Readers.Keys;

    /// <summary>The reader of <paramref name="dataset"/>.</summary>
    public static IPaperDatasetReader For(PaperDataset dataset) =>
        Readers.TryGetValue(dataset, out IPaperDatasetReader? reader)
            ? reader
            : throw new NotSupportedException($"No reader for dataset '{DatasetText.NameOf(dataset)}'.");
}

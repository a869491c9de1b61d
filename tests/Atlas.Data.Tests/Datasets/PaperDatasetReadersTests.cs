using Atlas.Data.Datasets;

namespace Atlas.Data.Tests.Datasets;

public class PaperDatasetReadersTests
{
    // The paper's 22 datasets (its Table 5), typed here rather than taken from the enum, so a dropped member shows.
    private static readonly PaperDataset[] All22 =
    [
        PaperDataset.Cars, PaperDataset.Dtd, PaperDataset.EuroSat, PaperDataset.Gtsrb, PaperDataset.Mnist,
        PaperDataset.Resisc45, PaperDataset.Sun397, PaperDataset.Svhn, PaperDataset.Cifar10, PaperDataset.Cifar100,
        PaperDataset.ImageNet, PaperDataset.Stl10, PaperDataset.Food101, PaperDataset.Caltech101, PaperDataset.Caltech256,
        PaperDataset.FgvcAircraft, PaperDataset.Flowers102, PaperDataset.OxfordIiitPet, PaperDataset.Cub200,
        PaperDataset.PascalVoc, PaperDataset.Country211, PaperDataset.Ucf101,
    ];

    public static TheoryData<PaperDataset> EveryDataset() => new(All22);

    [Fact]
    public void Registry_holds_a_reader_for_each_of_the_22_datasets()
    {
        Assert.Equal(22, All22.Distinct().Count());
        Assert.Equal(All22.Order(), PaperDatasetReaders.Available.Order());
        Assert.Equal(Enum.GetValues<PaperDataset>().Order(), PaperDatasetReaders.Available.Order());
    }

    [Theory]
    [MemberData(nameof(EveryDataset))]
    public void Each_reader_reads_its_own_dataset(PaperDataset dataset)
    {
        Assert.Equal(dataset, PaperDatasetReaders.For(dataset).Dataset);
    }

    [Theory]
    [MemberData(nameof(EveryDataset))]
    public void Empty_data_root_fails_the_layout_check_naming_path_and_layout(PaperDataset dataset)
    {
        using var root = new DatasetFolder();
        IPaperDatasetReader reader = PaperDatasetReaders.For(dataset);

        var check = Assert.Throws<DatasetLayoutException>(() => reader.CheckLayout(root.Root));
        var read = Assert.Throws<DatasetLayoutException>(() => reader.Read(root.Root));

        foreach (DatasetLayoutException error in new[] { check, read })
        {
            Assert.Equal(dataset, error.Dataset);
            Assert.StartsWith(root.Root, error.Path);
            Assert.False(Path.Exists(error.Path));
            Assert.Contains(error.Path, error.Message);
            Assert.Contains(reader.ExpectedLayout, error.Message);
            Assert.Contains($"Dataset '{DatasetText.NameOf(dataset)}'", error.Message);
        }
    }

    [Fact]
    public void Missing_split_list_is_named()
    {
        using var root = new DatasetFolder();
        root.Folder("oxford-iiit-pet/images");
        root.Text("oxford-iiit-pet/annotations/trainval.txt", "Abyssinian_100 1 1 1\n");
        var error = Assert.Throws<DatasetLayoutException>(() => PaperDatasetReaders.For(PaperDataset.OxfordIiitPet).CheckLayout(root.Root));
        Assert.Equal(root.PathOf("oxford-iiit-pet/annotations/test.txt"), error.Path);
        Assert.Contains("missing file", error.Message);
    }
}

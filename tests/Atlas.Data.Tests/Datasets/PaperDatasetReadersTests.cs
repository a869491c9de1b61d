using Atlas.Data.Datasets;

namespace Atlas.Data.Tests.Datasets;

public class PaperDatasetReadersTests
{
    // The 14 folder/list-layout datasets this registry holds so far; the 8 array-format readers join at merge, and with
    // them a test that every PaperDataset value has a reader.
    private static readonly PaperDataset[] Folder14 =
    [
        PaperDataset.Dtd, PaperDataset.EuroSat, PaperDataset.Resisc45, PaperDataset.Sun397, PaperDataset.ImageNet,
        PaperDataset.Food101, PaperDataset.Caltech101, PaperDataset.Caltech256, PaperDataset.FgvcAircraft,
        PaperDataset.OxfordIiitPet, PaperDataset.Cub200, PaperDataset.PascalVoc, PaperDataset.Country211, PaperDataset.Ucf101,
    ];

    public static TheoryData<PaperDataset> FolderDatasets() => new(Folder14);

    [Fact]
    public void Registry_holds_the_14_folder_and_list_readers()
    {
        Assert.Equal(Folder14.Order(), PaperDatasetReaders.Available.Order());
    }

    [Theory]
    [MemberData(nameof(FolderDatasets))]
    public void Each_reader_reads_its_own_dataset(PaperDataset dataset)
    {
        Assert.Equal(dataset, PaperDatasetReaders.For(dataset).Dataset);
    }

    [Theory]
    [MemberData(nameof(FolderDatasets))]
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
            Assert.Contains($"Dataset '{dataset}'", error.Message);
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

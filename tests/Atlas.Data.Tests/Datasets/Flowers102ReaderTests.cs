using Atlas.Data.Datasets;
using Atlas.Data.Datasets.MatData;

namespace Atlas.Data.Tests.Datasets;

public sealed class Flowers102ReaderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Reads_the_own_split_in_setid_order()
    {
        // generate.py: labels (1-based, by image id 1..12) [77, 1, 102, 5, 5, 50, 77, 3, 9, 100, 2, 41];
        // trnid [3, 1, 7, 12], valid [2, 9, 5], tstid [11, 4, 6, 8, 10].
        MatDataFixtures.CopyDataset("flowers-102", _temp.Path);
        string jpg = Path.Combine(_temp.Path, "flowers-102", "jpg");

        DatasetSplits splits = new Flowers102Reader().Read(_temp.Path);

        Assert.Equal(DatasetText.ClassNames(PaperDataset.Flowers102), splits.ClassNames);
        Assert.Equal(102, splits.ClassNames.Count);
        Assert.Equal("pink primrose", splits.ClassNames[0]);
        Assert.Equal("blackberry lily", splits.ClassNames[101]);
        Assert.Equal([101, 76, 76, 40], splits.Train.Select(s => s.Label));
        Assert.Equal([0, 8, 4], splits.Validation.Select(s => s.Label));
        Assert.Equal([1, 4, 49, 2, 99], splits.Test.Select(s => s.Label));
        Assert.Equal(Path.Combine(jpg, "image_00003.jpg"), MatDataFixtures.PathOf(splits.Train[0]));
        Assert.Equal(Path.Combine(jpg, "image_00010.jpg"), MatDataFixtures.PathOf(splits.Test[4]));
    }

    [Fact]
    public void Missing_setid_or_images_name_the_path_and_layout()
    {
        MatDataFixtures.CopyDataset("flowers-102", _temp.Path);
        string setid = Path.Combine(_temp.Path, "flowers-102", "setid.mat");
        File.Delete(setid);
        MatDataFixtures.AssertLayoutError(new Flowers102Reader(), _temp.Path, setid);

        string jpg = Path.Combine(_temp.Path, "flowers-102", "jpg");
        Directory.Delete(jpg, recursive: true);
        MatDataFixtures.AssertLayoutError(new Flowers102Reader(), _temp.Path, jpg);
    }

    [Fact]
    public void Labels_file_without_labels_variable_is_a_layout_error()
    {
        MatDataFixtures.CopyDataset("flowers-102", _temp.Path);
        string labels = Path.Combine(_temp.Path, "flowers-102", "imagelabels.mat");
        string setid = Path.Combine(_temp.Path, "flowers-102", "setid.mat");
        // The SVHN test file stands in as a MAT file without 'labels'.
        File.Copy(MatDataFixtures.File("root/svhn/test_32x32.mat"), labels, overwrite: true);

        var error = Assert.Throws<DatasetLayoutException>(() => new Flowers102Reader().Read(_temp.Path));
        Assert.Equal(labels, error.Path);
        Assert.Contains("'labels' is missing", error.Message);
        Assert.NotEqual(setid, error.Path);
    }
}

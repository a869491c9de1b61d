using Atlas.Data.Datasets;
using Atlas.Data.Datasets.MatData;

namespace Atlas.Data.Tests.Datasets;

public sealed class CifarReaderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    // generate.py: image g (global index within its part's files) has data[channel·1024 + row·32 + column] =
    // (13 g + 70 channel + 5 row + column) mod 256; test images are g = 100.. (CIFAR-10) and 50.. (CIFAR-100).
    private static byte Value(int image, int row, int column, int channel) => (byte)(((13 * image) + (70 * channel) + (5 * row) + column) % 256);

    [Fact]
    public void Cifar10_batches_read_in_file_order_with_planar_pixels_interleaved()
    {
        MatDataFixtures.CopyDataset("cifar-10-batches-py", _temp.Path);
        int[] trainLabels = [6, 9, 9, 4, 1, 1, 2, 7, 8, 3];

        DatasetSplits splits = new Cifar10Reader().Read(_temp.Path);

        Assert.Equal(DatasetText.ClassNames(PaperDataset.Cifar10), splits.ClassNames);
        Assert.Equal("automobile", splits.ClassNames[1]);
        Assert.Equal(MatDataFixtures.TorchTrain10.Select(i => trainLabels[i]), splits.Train.Select(s => s.Label));
        LabelledImage validation = Assert.Single(splits.Validation);
        Assert.Equal(9, validation.Label); // image 2: first of data_batch_2
        Assert.Equal(Value(2, 3, 4, 1), MatDataFixtures.Pixel(validation, 3, 4, 1));
        Assert.Equal(115, MatDataFixtures.Pixel(validation, 3, 4, 1));
        Assert.Equal(Value(4, 31, 30, 2), MatDataFixtures.Pixel(splits.Train[0], 31, 30, 2)); // train[0] is image 4
        Assert.Equal([3, 8, 0], splits.Test.Select(s => s.Label));
        Assert.Equal(46, MatDataFixtures.Pixel(splits.Test[2], 0, 0, 0)); // 13·102 mod 256
    }

    [Fact]
    public void Cifar100_reads_fine_labels_and_underscored_names()
    {
        MatDataFixtures.CopyDataset("cifar-100-python", _temp.Path);
        int[] fineLabels = [19, 29, 0, 11, 1, 86, 90, 28, 23, 99];

        DatasetSplits splits = new Cifar100Reader().Read(_temp.Path);

        Assert.Equal(100, splits.ClassNames.Count);
        Assert.Equal("aquarium_fish", splits.ClassNames[1]);
        Assert.Equal("worm", splits.ClassNames[99]);
        Assert.Equal(MatDataFixtures.TorchTrain10.Select(i => fineLabels[i]), splits.Train.Select(s => s.Label));
        LabelledImage validation = Assert.Single(splits.Validation);
        Assert.Equal(0, validation.Label);
        Assert.Equal(96, MatDataFixtures.Pixel(validation, 31, 31, 2));
        Assert.Equal([49, 33], splits.Test.Select(s => s.Label));
        Assert.Equal(Value(51, 7, 8, 0), MatDataFixtures.Pixel(splits.Test[1], 7, 8, 0));
    }

    [Fact]
    public void Batch_with_a_disallowed_global_is_refused_without_executing()
    {
        MatDataFixtures.CopyDataset("cifar-10-batches-py", _temp.Path);
        string batch = Path.Combine(_temp.Path, "cifar-10-batches-py", "data_batch_3");
        File.Copy(MatDataFixtures.File("pickle/refused_os_system.pkl"), batch, overwrite: true);

        var error = Assert.Throws<DatasetLayoutException>(() => new Cifar10Reader().Read(_temp.Path));

        Assert.Equal(batch, error.Path);
        Assert.Contains("refused global 'posix.system'", error.Message);
        Assert.False(File.Exists("/tmp/atlas_matdata_pickle_executed"));
    }

    [Fact]
    public void Missing_batch_or_meta_names_the_path_and_layout()
    {
        MatDataFixtures.CopyDataset("cifar-10-batches-py", _temp.Path);
        MatDataFixtures.CopyDataset("cifar-100-python", _temp.Path);
        string batch = Path.Combine(_temp.Path, "cifar-10-batches-py", "data_batch_5");
        string meta = Path.Combine(_temp.Path, "cifar-100-python", "meta");
        File.Delete(batch);
        File.Delete(meta);

        MatDataFixtures.AssertLayoutError(new Cifar10Reader(), _temp.Path, batch);
        MatDataFixtures.AssertLayoutError(new Cifar100Reader(), _temp.Path, meta);
    }

    [Fact]
    public void Meta_names_that_differ_from_the_embedded_ones_are_a_layout_error()
    {
        MatDataFixtures.CopyDataset("cifar-100-python", _temp.Path);
        string meta = Path.Combine(_temp.Path, "cifar-100-python", "meta");
        // The CIFAR-10 meta's label_names under CIFAR-100's meta name: the key is missing.
        File.Copy(MatDataFixtures.File("root/cifar-10-batches-py/batches.meta"), meta, overwrite: true);

        var error = Assert.Throws<DatasetLayoutException>(() => new Cifar100Reader().Read(_temp.Path));
        Assert.Equal(meta, error.Path);
        Assert.Contains("fine_label_names", error.Message);
    }
}

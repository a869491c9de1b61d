using Atlas.Data.Datasets;
using Atlas.Data.Datasets.MatData;

namespace Atlas.Data.Tests.Datasets;

public sealed class CarsReaderTests : IDisposable
{
    // generate.py: train annotations 00001.jpg .. 00010.jpg with class [14, 3, 196, 1, 1, 90, 14, 7, 150, 2] (1-based,
    // compressed file), test 00001.jpg → 196, 00002.jpg → 1 (uncompressed); meta's first name written 'AM_General ...'.
    private static readonly int[] TrainClasses = [14, 3, 196, 1, 1, 90, 14, 7, 150, 2];
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Reads_struct_annotations_in_file_order_with_zero_based_labels()
    {
        MatDataFixtures.CopyDataset("stanford_cars", _temp.Path);
        string root = Path.Combine(_temp.Path, "stanford_cars");

        DatasetSplits splits = new CarsReader().Read(_temp.Path);

        Assert.Equal(DatasetText.ClassNames(PaperDataset.Cars), splits.ClassNames);
        Assert.Equal(196, splits.ClassNames.Count);
        Assert.Equal("AM General Hummer SUV 2000", splits.ClassNames[0]);
        Assert.Equal("smart fortwo Convertible 2012", splits.ClassNames[195]);
        Assert.Equal(MatDataFixtures.TorchTrain10.Select(i => TrainClasses[i] - 1), splits.Train.Select(s => s.Label));
        Assert.Equal(Path.Combine(root, "cars_train", "00005.jpg"), MatDataFixtures.PathOf(splits.Train[0]));
        LabelledImage validation = Assert.Single(splits.Validation);
        Assert.Equal((Path.Combine(root, "cars_train", "00003.jpg"), 195), (MatDataFixtures.PathOf(validation), validation.Label));
        Assert.Equal([(Path.Combine(root, "cars_test", "00001.jpg"), 195), (Path.Combine(root, "cars_test", "00002.jpg"), 0)],
            splits.Test.Select(s => (MatDataFixtures.PathOf(s), s.Label)));
    }

    [Fact]
    public void Missing_meta_or_test_annotations_name_the_path_and_layout()
    {
        MatDataFixtures.CopyDataset("stanford_cars", _temp.Path);
        string testAnnotations = Path.Combine(_temp.Path, "stanford_cars", "cars_test_annos_withlabels.mat");
        File.Delete(testAnnotations);
        MatDataFixtures.AssertLayoutError(new CarsReader(), _temp.Path, testAnnotations);

        string meta = Path.Combine(_temp.Path, "stanford_cars", "devkit", "cars_meta.mat");
        File.Delete(meta);
        MatDataFixtures.AssertLayoutError(new CarsReader(), _temp.Path, meta);
    }

    [Fact]
    public void Meta_without_class_names_is_a_layout_error()
    {
        MatDataFixtures.CopyDataset("stanford_cars", _temp.Path);
        string meta = Path.Combine(_temp.Path, "stanford_cars", "devkit", "cars_meta.mat");
        File.Copy(MatDataFixtures.File("root/flowers-102/setid.mat"), meta, overwrite: true);

        var error = Assert.Throws<DatasetLayoutException>(() => new CarsReader().Read(_temp.Path));
        Assert.Equal(meta, error.Path);
        Assert.Contains("'class_names' is missing", error.Message);
    }
}

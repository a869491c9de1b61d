using Atlas.Data.Datasets;
using Atlas.Data.Datasets.MatData;

namespace Atlas.Data.Tests.Datasets;

public sealed class SvhnReaderTests : IDisposable
{
    // generate.py: train y = [1, 2, 10, 4, 5, 6, 7, 8, 9, 10] (uint8, compressed file), test y = [10, 3, 1] (double,
    // uncompressed); X(row, column, channel, image) = (7 row + 3 column + 50 channel + 11 image) mod 256.
    private static readonly int[] TrainLabels = [1, 2, 0, 4, 5, 6, 7, 8, 9, 0];
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static byte X(int row, int column, int channel, int image) => (byte)(((7 * row) + (3 * column) + (50 * channel) + (11 * image)) % 256);

    [Fact]
    public void Reads_mat_arrays_with_label_10_as_digit_0()
    {
        MatDataFixtures.CopyDataset("svhn", _temp.Path);

        DatasetSplits splits = new SvhnReader().Read(_temp.Path);

        Assert.Equal(DatasetText.ClassNames(PaperDataset.Svhn), splits.ClassNames);
        Assert.Equal(MatDataFixtures.TorchTrain10.Select(i => TrainLabels[i]), splits.Train.Select(s => s.Label));
        LabelledImage validation = Assert.Single(splits.Validation);
        Assert.Equal(0, validation.Label); // training image 2, y = 10
        Assert.Equal(X(5, 9, 2, 2), MatDataFixtures.Pixel(validation, 5, 9, 2));
        Assert.Equal(184, MatDataFixtures.Pixel(validation, 5, 9, 2));
        Assert.Equal([0, 3, 1], splits.Test.Select(s => s.Label));
        Assert.Equal(X(31, 0, 1, 1), MatDataFixtures.Pixel(splits.Test[1], 31, 0, 1));
        Assert.Equal(X(0, 31, 0, 2), MatDataFixtures.Pixel(splits.Test[2], 0, 31, 0));
    }

    [Fact]
    public void Missing_test_file_names_the_path_and_layout()
    {
        MatDataFixtures.CopyDataset("svhn", _temp.Path);
        string test = Path.Combine(_temp.Path, "svhn", "test_32x32.mat");
        File.Delete(test);

        MatDataFixtures.AssertLayoutError(new SvhnReader(), _temp.Path, test);
    }

    [Fact]
    public void Non_mat_file_is_a_layout_error_naming_it()
    {
        MatDataFixtures.CopyDataset("svhn", _temp.Path);
        string train = Path.Combine(_temp.Path, "svhn", "train_32x32.mat");
        File.WriteAllBytes(train, new byte[200]);

        MatDataFixtures.AssertLayoutError(new SvhnReader(), _temp.Path, train);
    }
}

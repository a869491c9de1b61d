using Atlas.Data.Datasets;
using Atlas.Data.Datasets.MatData;
using Atlas.Data.Formats;

namespace Atlas.Data.Tests.Datasets;

public sealed class MnistReaderTests : IDisposable
{
    private static readonly byte[] TrainLabels = [5, 0, 4, 1, 9, 2, 1, 3, 1, 4];
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    // Image i, pixel (row, column) = (10 i + 3 row + column) mod 256.
    private static byte Level(int image, int row, int column) => (byte)(((10 * image) + (3 * row) + column) % 256);

    private void WriteMnist(int trainCount = 10)
    {
        void Write(string name, IdxArray array) => File.WriteAllBytes(_temp.FilePath($"MNIST/raw/{name}"), IdxWriter.ToRawBytes(array));
        byte[] Images(int first, int count)
        {
            var values = new byte[count * 28 * 28];
            for (int i = 0; i < count; i++)
                for (int r = 0; r < 28; r++)
                    for (int c = 0; c < 28; c++)
                        values[(i * 784) + (r * 28) + c] = Level(first + i, r, c);
            return values;
        }
        Write("train-images-idx3-ubyte", new IdxArray([trainCount, 28, 28], Images(0, trainCount)));
        Write("train-labels-idx1-ubyte", new IdxArray([trainCount], TrainLabels[..trainCount]));
        Write("t10k-images-idx3-ubyte", new IdxArray([2, 28, 28], Images(100, 2)));
        Write("t10k-labels-idx1-ubyte", new IdxArray([2], [7, 2]));
    }

    [Fact]
    public void Reads_train_validation_and_test_with_pixels_and_labels()
    {
        WriteMnist();

        DatasetSplits splits = new MnistReader().Read(_temp.Path);

        Assert.Equal(DatasetText.ClassNames(PaperDataset.Mnist), splits.ClassNames);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString()), splits.ClassNames);
        Assert.Equal(MatDataFixtures.TorchTrain10.Select(i => (int)TrainLabels[i]), splits.Train.Select(s => s.Label));
        LabelledImage validation = Assert.Single(splits.Validation);
        Assert.Equal(4, validation.Label); // training image 2
        for (int channel = 0; channel < 3; channel++)
        {
            Assert.Equal(Level(2, 27, 5), MatDataFixtures.Pixel(validation, 27, 5, channel));
        }
        Assert.Equal([7, 2], splits.Test.Select(s => s.Label));
        Assert.Equal(Level(101, 13, 20), MatDataFixtures.Pixel(splits.Test[1], 13, 20, 1));
    }

    [Fact]
    public void Missing_file_names_the_path_and_layout()
    {
        WriteMnist();
        string labels = _temp.File("MNIST/raw/t10k-labels-idx1-ubyte");
        File.Delete(labels);

        MatDataFixtures.AssertLayoutError(new MnistReader(), _temp.Path, labels);
    }

    [Fact]
    public void Gzipped_file_under_the_raw_name_is_a_layout_error()
    {
        WriteMnist();
        string images = _temp.File("MNIST/raw/train-images-idx3-ubyte");
        File.WriteAllBytes(images, IdxWriter.Gzip(File.ReadAllBytes(images)));

        MatDataFixtures.AssertLayoutError(new MnistReader(), _temp.Path, images);
    }
}

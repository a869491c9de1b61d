using Atlas.Data.Datasets;
using Atlas.Data.Datasets.MatData;

namespace Atlas.Data.Tests.Datasets;

public sealed class Stl10ReaderTests : IDisposable
{
    private const int Side = 96;
    private static readonly byte[] TrainLabels = [3, 1, 10, 2, 5, 6, 7, 8, 9, 4]; // 1-based, as in train_y.bin
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    // Pixel (row, column, channel) of image n = (17 n + 60 channel + 3 row + column) mod 256.
    private static byte Value(int image, int row, int column, int channel) => (byte)(((17 * image) + (60 * channel) + (3 * row) + column) % 256);

    private string Folder => Path.Combine(_temp.Path, "stl10", "stl10_binary");

    private void WriteStl10()
    {
        Directory.CreateDirectory(Folder);
        byte[] Images(int first, int count)
        {
            // The binary format: per image three planes, each written column by column (byte c·9216 + column·96 + row).
            var raw = new byte[count * Side * Side * 3];
            for (int n = 0; n < count; n++)
                for (int c = 0; c < 3; c++)
                    for (int column = 0; column < Side; column++)
                        for (int row = 0; row < Side; row++)
                            raw[(n * Side * Side * 3) + (c * Side * Side) + (column * Side) + row] = Value(first + n, row, column, c);
            return raw;
        }
        File.WriteAllBytes(Path.Combine(Folder, "train_X.bin"), Images(0, 10));
        File.WriteAllBytes(Path.Combine(Folder, "train_y.bin"), TrainLabels);
        File.WriteAllBytes(Path.Combine(Folder, "test_X.bin"), Images(20, 2));
        File.WriteAllBytes(Path.Combine(Folder, "test_y.bin"), [10, 1]);
        File.WriteAllText(Path.Combine(Folder, "class_names.txt"), "airplane\nbird\ncar\ncat\ndeer\ndog\nhorse\nmonkey\nship\ntruck\n");
    }

    [Fact]
    public void Reads_column_major_planes_and_one_based_labels()
    {
        WriteStl10();

        DatasetSplits splits = new Stl10Reader().Read(_temp.Path);

        Assert.Equal(DatasetText.ClassNames(PaperDataset.Stl10), splits.ClassNames);
        Assert.Equal("monkey", splits.ClassNames[7]);
        Assert.Equal(MatDataFixtures.TorchTrain10.Select(i => TrainLabels[i] - 1), splits.Train.Select(s => s.Label));
        LabelledImage validation = Assert.Single(splits.Validation);
        Assert.Equal(9, validation.Label); // image 2, label byte 10
        Assert.Equal(174, MatDataFixtures.Pixel(validation, 10, 50, 1)); // 34 + 60 + 30 + 50
        Assert.Equal(Value(2, 95, 0, 2), MatDataFixtures.Pixel(validation, 95, 0, 2));
        Assert.Equal([9, 0], splits.Test.Select(s => s.Label));
        Assert.Equal(Value(21, 0, 95, 0), MatDataFixtures.Pixel(splits.Test[1], 0, 95, 0));
    }

    [Fact]
    public void Missing_or_short_files_name_the_path_and_layout()
    {
        WriteStl10();
        string labels = Path.Combine(Folder, "test_y.bin");
        File.WriteAllBytes(labels, [1]);
        MatDataFixtures.AssertLayoutError(new Stl10Reader(), _temp.Path, labels);

        File.Delete(labels);
        MatDataFixtures.AssertLayoutError(new Stl10Reader(), _temp.Path, labels);
    }

    [Fact]
    public void Class_names_file_that_differs_is_a_layout_error()
    {
        WriteStl10();
        string names = Path.Combine(Folder, "class_names.txt");
        File.WriteAllText(names, "airplane\nbird\nautomobile\ncat\ndeer\ndog\nhorse\nmonkey\nship\ntruck\n");

        var error = Assert.Throws<DatasetLayoutException>(() => new Stl10Reader().Read(_temp.Path));
        Assert.Equal(names, error.Path);
        Assert.Contains("class 2 is 'automobile', expected 'car'", error.Message);
    }
}

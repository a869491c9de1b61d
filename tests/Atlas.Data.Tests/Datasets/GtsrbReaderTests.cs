using System.Text;
using Atlas.Data.Datasets;
using Atlas.Data.Datasets.MatData;

namespace Atlas.Data.Tests.Datasets;

public sealed class GtsrbReaderTests : IDisposable
{
    // torch 1.13: random_split(range(45), [41, 4], generator=torch.Generator().manual_seed(0)).
    private static readonly int[] TorchTrain45 =
        [44, 8, 2, 33, 30, 24, 22, 16, 21, 36, 26, 1, 9, 12, 6, 41, 3, 7, 32, 10, 11, 0, 38, 37, 35, 19, 13, 20, 39, 23, 31, 4, 34, 17, 43, 40, 29, 27, 28, 18, 14];
    private static readonly int[] TorchValidation45 = [25, 5, 15, 42];

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Training => Path.Combine(_temp.Path, "gtsrb", "GTSRB", "Training");

    private static void WritePpm(string path, byte shade)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        byte[] header = Encoding.ASCII.GetBytes("P6\n2 2\n255\n");
        File.WriteAllBytes(path, [.. header, .. Enumerable.Repeat(shade, 12)]);
    }

    /// <summary>
    /// 43 class folders with one image each, except 00001: b.ppm, a.ppm, sub/c.ppm and its GT-00001.csv. Returns the
    /// training files in torchvision's order.
    /// </summary>
    private List<(string Path, int Label)> WriteGtsrb()
    {
        var expected = new List<(string, int)>();
        for (int c = 0; c < 43; c++)
        {
            string folder = Path.Combine(Training, $"{c:D5}");
            if (c == 1)
            {
                WritePpm(Path.Combine(folder, "b.ppm"), 2);
                WritePpm(Path.Combine(folder, "a.ppm"), 1);
                WritePpm(Path.Combine(folder, "sub", "c.ppm"), 3);
                File.WriteAllText(Path.Combine(folder, "GT-00001.csv"), "Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2;ClassId\n");
                expected.Add((Path.Combine(folder, "a.ppm"), 1));
                expected.Add((Path.Combine(folder, "b.ppm"), 1));
                expected.Add((Path.Combine(folder, "sub", "c.ppm"), 1));
            }
            else
            {
                WritePpm(Path.Combine(folder, $"{c:D5}_00000.ppm"), (byte)c);
                expected.Add((Path.Combine(folder, $"{c:D5}_00000.ppm"), c));
            }
        }
        string images = Path.Combine(_temp.Path, "gtsrb", "GTSRB", "Final_Test", "Images");
        WritePpm(Path.Combine(images, "00000.ppm"), 100);
        WritePpm(Path.Combine(images, "00001.ppm"), 101);
        File.WriteAllText(Path.Combine(_temp.Path, "gtsrb", "GT-final_test.csv"),
            "Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2;ClassId\r\n00000.ppm;53;54;6;5;48;49;16\r\n00001.ppm; 42;45;5;5;36;40; 1\r\n");
        return expected;
    }

    [Fact]
    public void Training_folders_follow_torchvision_order_and_test_follows_the_csv()
    {
        List<(string Path, int Label)> expected = WriteGtsrb();

        DatasetSplits splits = new GtsrbReader().Read(_temp.Path);

        Assert.Equal(DatasetText.ClassNames(PaperDataset.Gtsrb), splits.ClassNames);
        Assert.Equal("stop", splits.ClassNames[14]);
        Assert.Equal(TorchTrain45.Select(i => expected[i]), splits.Train.Select(s => (MatDataFixtures.PathOf(s), s.Label)));
        Assert.Equal(TorchValidation45.Select(i => expected[i]), splits.Validation.Select(s => (MatDataFixtures.PathOf(s), s.Label)));
        Assert.Equal(45, expected.Count);
        Assert.Equal(Path.Combine(Training, "00001", "a.ppm"), expected[1].Path);
        string images = Path.Combine(_temp.Path, "gtsrb", "GTSRB", "Final_Test", "Images");
        Assert.Equal([(Path.Combine(images, "00000.ppm"), 16), (Path.Combine(images, "00001.ppm"), 1)],
            splits.Test.Select(s => (MatDataFixtures.PathOf(s), s.Label)));
    }

    [Fact]
    public void Missing_csv_or_empty_class_folder_names_the_path_and_layout()
    {
        WriteGtsrb();
        string empty = Path.Combine(Training, "00007");
        foreach (string file in Directory.GetFiles(empty)) File.Delete(file);
        // Found by Read (torchvision's make_dataset refuses a class without images); the cheap check only counts folders.
        MatDataFixtures.AssertLayoutError(new GtsrbReader(), _temp.Path, empty, cheapCheckFindsIt: false);

        string csv = Path.Combine(_temp.Path, "gtsrb", "GT-final_test.csv");
        File.Delete(csv);
        MatDataFixtures.AssertLayoutError(new GtsrbReader(), _temp.Path, csv);
    }

    [Fact]
    public void Missing_training_folder_names_the_path_and_layout()
    {
        WriteGtsrb();
        Directory.Delete(Training, recursive: true);

        MatDataFixtures.AssertLayoutError(new GtsrbReader(), _temp.Path, Training);
    }
}

using System.IO.Compression;
using System.Text;
using Atlas.Data.Formats;

namespace Atlas.Data.Tests;

public sealed class TextReaderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string DigitJson(params float[] values) =>
        "{ \"data\": [" + string.Join(",", values.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "] }";

    [Fact]
    public void Mnist_json_reads_images_back_to_back()
    {
        float[] pixels = Enumerable.Range(0, 2 * 784).Select(i => (float)Math.Round((i % 256) / 255.0, 3)).ToArray();
        string path = _temp.FilePath("3.json");
        File.WriteAllText(path, DigitJson(pixels));

        float[] read = MnistJsonReader.Read(path);

        Assert.Equal(pixels, read);
    }

    [Fact]
    public void Mnist_json_with_a_partial_image_names_the_file()
    {
        string path = _temp.FilePath("partial.json");
        File.WriteAllText(path, DigitJson(new float[784 + 10]));

        var error = Assert.Throws<InvalidDataException>(() => MnistJsonReader.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("794 values", error.Message);
    }

    [Fact]
    public void Mnist_json_value_out_of_range_names_the_file_and_pixel()
    {
        float[] pixels = new float[784];
        pixels[5] = 1.5f;
        string path = _temp.FilePath("range.json");
        File.WriteAllText(path, DigitJson(pixels));

        var error = Assert.Throws<InvalidDataException>(() => MnistJsonReader.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("pixel 5", error.Message);
    }

    private static string CsvRow(int seed, int label) =>
        string.Join(",", Enumerable.Range(0, 64).Select(i => (i + seed) % 17).Append(label));

    [Fact]
    public void Optdigits_reads_plain_and_gzipped_csv_alike()
    {
        string text = CsvRow(0, 3) + "\n" + CsvRow(5, 9) + "\n";
        string plain = _temp.FilePath("digits.csv"), gzipped = _temp.FilePath("digits.csv.gz");
        File.WriteAllText(plain, text);
        using (var gzip = new GZipStream(File.Create(gzipped), CompressionLevel.Optimal))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        foreach (string path in new[] { plain, gzipped })
        {
            (IdxArray images, IdxArray labels) = OptdigitsCsvReader.Read(path);
            Assert.Equal([2, 8, 8], images.Dimensions);
            Assert.Equal(new byte[] { 3, 9 }, labels.Values);
            Assert.Equal((byte)((63 + 5) % 17), images.Values[64 + 63]);
        }
    }

    [Fact]
    public void Optdigits_short_row_names_file_and_line()
    {
        string path = _temp.FilePath("short.csv");
        File.WriteAllText(path, CsvRow(0, 1) + "\n" + "1,2,3\n");

        var error = Assert.Throws<InvalidDataException>(() => OptdigitsCsvReader.Read(path));

        Assert.StartsWith($"{path}:2:", error.Message);
        Assert.Contains("found 3 fields", error.Message);
    }

    [Fact]
    public void Optdigits_pixel_out_of_range_names_file_and_line()
    {
        string path = _temp.FilePath("range.csv");
        string bad = string.Join(",", Enumerable.Repeat("0", 10).Append("17").Concat(Enumerable.Repeat("0", 53)).Append("4"));
        File.WriteAllText(path, CsvRow(0, 1) + "\n" + CsvRow(1, 2) + "\n" + bad + "\n");

        var error = Assert.Throws<InvalidDataException>(() => OptdigitsCsvReader.Read(path));

        Assert.StartsWith($"{path}:3:", error.Message);
        Assert.Contains("pixel 10 is \"17\"", error.Message);
    }
}

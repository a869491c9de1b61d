using Atlas.Data.Formats;

namespace Atlas.Data.Tests;

public sealed class IdxFormatTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static IdxArray SampleImages() =>
        new([3, 2, 2], Enumerable.Range(0, 12).Select(i => (byte)(i * 20)).ToArray());

    [Fact]
    public void Gzipped_images_round_trip()
    {
        string path = _temp.FilePath("images-idx3-ubyte.gz");
        IdxWriter.WriteGzipped(path, SampleImages());

        IdxArray read = IdxReader.Read(path);

        Assert.Equal([3, 2, 2], read.Dimensions);
        Assert.Equal(SampleImages().Values, read.Values);
    }

    [Fact]
    public void Raw_labels_round_trip()
    {
        string path = _temp.FilePath("labels-idx1-ubyte");
        File.WriteAllBytes(path, IdxWriter.ToRawBytes(new IdxArray([4], [1, 2, 3, 9])));

        IdxArray read = IdxReader.Read(path);

        Assert.Equal([4], read.Dimensions);
        Assert.Equal(new byte[] { 1, 2, 3, 9 }, read.Values);
    }

    [Fact]
    public void Writer_output_is_deterministic()
    {
        string first = _temp.FilePath("a.gz"), second = _temp.FilePath("b.gz");
        IdxWriter.WriteGzipped(first, SampleImages());
        IdxWriter.WriteGzipped(second, SampleImages());

        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
    }

    [Fact]
    public void Bad_magic_names_the_file_and_the_magic_found()
    {
        string path = _temp.FilePath("bad-magic");
        byte[] raw = IdxWriter.ToRawBytes(SampleImages());
        raw[3] = 0x02;
        File.WriteAllBytes(path, raw);

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("0x00000802", error.Message);
    }

    [Fact]
    public void Truncated_raw_file_names_the_file_and_expected_versus_found_length()
    {
        string path = _temp.FilePath("truncated");
        byte[] raw = IdxWriter.ToRawBytes(SampleImages());
        File.WriteAllBytes(path, raw[..^5]);

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("need 12 value bytes", error.Message);
        Assert.Contains("found 7", error.Message);
    }

    [Fact]
    public void Truncated_gzip_file_names_the_file()
    {
        string whole = _temp.FilePath("whole.gz"), cut = _temp.FilePath("cut.gz");
        // Incompressible values, so half of the gzip stream holds only part of the payload.
        var rng = new DeterministicRng(1);
        byte[] values = new byte[4 * 28 * 28];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (byte)rng.NextUInt64();
        }
        IdxWriter.WriteGzipped(whole, new IdxArray([4, 28, 28], values));
        byte[] gzip = File.ReadAllBytes(whole);
        File.WriteAllBytes(cut, gzip[..(gzip.Length / 2)]);

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(cut));

        Assert.Contains(cut, error.Message);
    }

    [Fact]
    public void Header_shorter_than_its_rank_needs_is_rejected()
    {
        string path = _temp.FilePath("short-header");
        File.WriteAllBytes(path, [0, 0, 8, 3, 0, 0, 0, 1]);

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("16 bytes", error.Message);
    }
}

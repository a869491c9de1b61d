using Atlas.Store;

namespace Atlas.Store.Tests;

public sealed class AtomicFileTests
{
    [Fact]
    public void Write_replaces_the_file_and_leaves_no_temporaries()
    {
        using var folder = new TempDirectory();
        var path = folder.File("sub/report.md");

        AtomicFile.WriteAllText(path, "first");
        AtomicFile.WriteAllText(path, "second");

        Assert.Equal("second", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void Interrupted_write_keeps_the_old_file_and_leaves_no_temporaries()
    {
        using var folder = new TempDirectory();
        var path = folder.File("weights.bin");
        AtomicFile.WriteAllBytes(path, new byte[] { 1, 2, 3 });

        var failure = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[4096]);
            throw new IOException("simulated crash mid-stream");
        }));

        Assert.Equal("simulated crash mid-stream", failure.Message);
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void Json_round_trips()
    {
        using var folder = new TempDirectory();
        var path = folder.File("value.json");

        AtomicFile.WriteJson(path, new Dictionary<string, int> { ["a"] = 1 });

        Assert.Equal(1, System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(path))!["a"]);
    }
}

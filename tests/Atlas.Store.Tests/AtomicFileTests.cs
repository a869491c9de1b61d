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

/// <summary>A full disk and a read-only folder, for real (a small tmpfs): a clear message naming the file and the cause,
/// no temporary file left, the previous file unchanged.</summary>
public sealed class AtomicFileStorageTests
{
    [TmpfsFact]
    public void A_full_disk_is_named_and_leaves_the_previous_file_and_no_temporary()
    {
        using var disk = Tmpfs.TryMount(64 * 1024, out var reason) ?? throw new InvalidOperationException(reason);
        string target = Path.Combine(disk.Path, "result.json");
        AtomicFile.WriteAllText(target, "previous");

        var error = Assert.Throws<IOException>(() => AtomicFile.WriteAllBytes(target, new byte[256 * 1024]));

        Assert.StartsWith($"no space left on the device holding {target}", error.Message);
        Assert.Contains("nothing was written and the previous file, if any, is unchanged", error.Message);
        Assert.Equal("previous", File.ReadAllText(target));
        Assert.Equal([target], Directory.GetFiles(disk.Path));
    }

    [TmpfsFact]
    public void A_read_only_folder_is_named_and_leaves_the_previous_file()
    {
        using var disk = Tmpfs.TryMount(64 * 1024, out var reason) ?? throw new InvalidOperationException(reason);
        string target = Path.Combine(disk.Path, "result.json");
        AtomicFile.WriteAllText(target, "previous");
        disk.MakeReadOnly();

        var error = Assert.Throws<IOException>(() => AtomicFile.WriteAllText(target, "new"));

        Assert.Equal($"{disk.Path} is on a read-only file system, so {target} cannot be written: nothing was written and the previous file, if any, is unchanged",
            error.Message);
        Assert.Equal("previous", File.ReadAllText(target));
        Assert.Equal([target], Directory.GetFiles(disk.Path));
    }
}

using Atlas.Store;

namespace Atlas.Store.Tests;

public sealed class HashCacheTests
{
    [Fact]
    public void Unchanged_file_is_served_from_the_saved_cache()
    {
        using var folder = new TempDirectory();
        var file = folder.File("weights.bin");
        var cacheFile = folder.File("cache/hashes.json");
        File.WriteAllBytes(file, new byte[1000]);

        var cold = HashCache.Open(cacheFile);
        var hash = cold.HashFile(file);
        cold.Save();
        var warm = HashCache.Open(cacheFile);

        Assert.Equal(hash, warm.HashFile(file));
        Assert.Equal((0, 1), (cold.Hits, cold.Misses));
        Assert.Equal((1, 0), (warm.Hits, warm.Misses));
    }

    [Fact]
    public void Changed_file_is_hashed_again()
    {
        using var folder = new TempDirectory();
        var file = folder.File("weights.bin");
        File.WriteAllBytes(file, new byte[1000]);
        var cache = HashCache.Open(folder.File("hashes.json"));
        var before = cache.HashFile(file);

        File.WriteAllBytes(file, new byte[1001]);
        var after = cache.HashFile(file);

        Assert.NotEqual(before, after);
        Assert.Equal(ContentHash.OfFile(file), after);
        Assert.Equal((0, 2), (cache.Hits, cache.Misses));
    }

    [Fact]
    public void Corrupt_cache_file_starts_empty()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(folder.File("hashes.json"), "{ truncated");
        File.WriteAllText(folder.File("a.txt"), "abc");

        var cache = HashCache.Open(folder.File("hashes.json"));

        Assert.Equal(ContentHash.OfFile(folder.File("a.txt")), cache.HashFile(folder.File("a.txt")));
        Assert.Equal(1, cache.Misses);
    }

    [Fact]
    public void Missing_path_has_no_hash()
    {
        using var folder = new TempDirectory();

        Assert.Null(HashCache.Open(folder.File("hashes.json")).TryHash(folder.File("absent")));
    }
}

using System.Collections.Concurrent;
using System.Text.Json;

namespace Atlas.Store;

/// <summary>
/// Remembers file hashes by (full path, size, last-write time) in a small JSON file, so deciding whether a stage is
/// up to date does not re-read gigabytes of unchanged weights. As in DVC and make, a rewrite that keeps both the size
/// and the modification time (to 100 ns) goes unnoticed.
/// </summary>
public sealed class HashCache
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    private readonly string cacheFile;
    private readonly ConcurrentDictionary<string, Entry> entries;
    private int hits;
    private int misses;
    private volatile bool changed;

    private HashCache(string cacheFile, ConcurrentDictionary<string, Entry> entries)
    {
        this.cacheFile = cacheFile;
        this.entries = entries;
    }

    /// <summary>Hashes served from the cache since opening.</summary>
    public int Hits => hits;

    /// <summary>Hashes computed by reading the file since opening.</summary>
    public int Misses => misses;

    /// <summary>Opens the cache stored at <paramref name="cacheFile"/>; a missing or unreadable one starts empty.</summary>
    public static HashCache Open(string cacheFile)
    {
        var entries = new ConcurrentDictionary<string, Entry>(StringComparer.Ordinal);
        try
        {
            if (File.Exists(cacheFile) && JsonSerializer.Deserialize<Dictionary<string, Entry>>(File.ReadAllText(cacheFile), Json) is { } stored)
                foreach (var (path, entry) in stored) entries[path] = entry;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            // A cache is only an optimisation: losing it costs time, not correctness.
        }
        return new HashCache(Path.GetFullPath(cacheFile), entries);
    }

    /// <summary>The SHA-256 of a file, from the cache when its size and last-write time are unchanged.</summary>
    public string HashFile(string path)
    {
        var file = new FileInfo(Path.GetFullPath(path));
        if (!file.Exists) throw new FileNotFoundException($"{path}: cannot hash a missing file", path);
        if (entries.TryGetValue(file.FullName, out var cached) && cached.Describes(file))
        {
            Interlocked.Increment(ref hits);
            return cached.Sha256;
        }
        Interlocked.Increment(ref misses);
        var entry = new Entry(file.Length, file.LastWriteTimeUtc.Ticks, ContentHash.OfFile(file.FullName));
        file.Refresh();
        // A file written while it was being read is not remembered: the hash may mix old and new content.
        if (entry.Describes(file))
        {
            entries[file.FullName] = entry;
            changed = true;
        }
        return entry.Sha256;
    }

    /// <summary>The hash of a file or a folder (<see cref="ContentHash.OfDirectory"/>).</summary>
    /// <exception cref="FileNotFoundException">Neither exists.</exception>
    public string Hash(string path) => TryHash(path) ?? throw new FileNotFoundException($"{path}: no such file or folder", path);

    /// <summary>The hash of a file or a folder, or null when neither exists.</summary>
    public string? TryHash(string path) =>
        Directory.Exists(path) ? ContentHash.OfDirectory(path, this)
        : File.Exists(path) ? HashFile(path)
        : null;

    /// <summary>Stores the cache atomically if anything changed, dropping entries of files that no longer exist.</summary>
    public void Save()
    {
        if (!changed) return;
        var live = entries.Where(e => File.Exists(e.Key)).OrderBy(e => e.Key, StringComparer.Ordinal).ToDictionary();
        AtomicFile.WriteJson(cacheFile, live, Json);
        changed = false;
    }

    private sealed record Entry(long Size, long LastWriteTicks, string Sha256)
    {
        public bool Describes(FileInfo file) => Size == file.Length && LastWriteTicks == file.LastWriteTimeUtc.Ticks;
    }
}

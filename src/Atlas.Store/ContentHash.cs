using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Atlas.Store;

/// <summary>SHA-256 content hashes as lowercase hex: what lock records compare to decide whether work is stale.</summary>
public static class ContentHash
{
    /// <summary>The hash of <paramref name="bytes"/>.</summary>
    public static string OfBytes(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The hash of a file's bytes, streamed.</summary>
    public static string OfFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>
    /// A folder's hash: over its files' relative paths ('/'-separated, sorted ordinally) and their hashes, so renames,
    /// additions and removals count as changes while the absolute location and enumeration order do not.
    /// </summary>
    /// <param name="path">The folder.</param>
    /// <param name="cache">Reuses the hashes of unchanged files when given.</param>
    public static string OfDirectory(string path, HashCache? cache = null)
    {
        var listing = new StringBuilder();
        var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
            .Select(file => (Full: file, Relative: Path.GetRelativePath(path, file).Replace('\\', '/')))
            .OrderBy(file => file.Relative, StringComparer.Ordinal);
        foreach (var (full, relative) in files)
            listing.Append(relative).Append('\0').Append(cache?.HashFile(full) ?? OfFile(full)).Append('\n');
        return OfBytes(Encoding.UTF8.GetBytes(listing.ToString()));
    }

    /// <summary>The hash of a JSON value's canonical form (sorted keys, no whitespace, normalised numbers).</summary>
    public static string OfJson(JsonNode? value) => OfBytes(Encoding.UTF8.GetBytes(CanonicalJson.Write(value)));
}

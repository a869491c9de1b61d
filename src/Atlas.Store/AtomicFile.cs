using System.Text;
using System.Text.Json;

namespace Atlas.Store;

/// <summary>
/// Whole-file writes that readers never see half done: the content goes to a hidden temporary file in the target's
/// folder (same file system, so the rename is atomic), is flushed to disk, then renamed over the target. A failure at
/// any point leaves the previous file untouched and no temporary behind.
/// </summary>
public static class AtomicFile
{
    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    /// <summary>Replaces <paramref name="path"/> with what <paramref name="write"/> writes; creates the folder if needed.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var target = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
                // Without this a crash after the rename could leave the new name pointing at unwritten blocks.
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            DeleteQuietly(temporary);
            throw;
        }
    }

    /// <summary>Replaces <paramref name="path"/> with <paramref name="bytes"/>.</summary>
    public static void WriteAllBytes(string path, ReadOnlyMemory<byte> bytes) => Write(path, stream => stream.Write(bytes.Span));

    /// <summary>Writes UTF-8 without a byte-order mark.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, Encoding.UTF8.GetBytes(text));

    /// <summary>Serialises <paramref name="value"/> (indented unless <paramref name="options"/> say otherwise).</summary>
    public static void WriteJson<T>(string path, T value, JsonSerializerOptions? options = null) =>
        Write(path, stream => JsonSerializer.Serialize(stream, value, options ?? IndentedJson));

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The original failure matters more than a leftover temporary.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

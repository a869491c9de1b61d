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
    /// <exception cref="IOException">The disk is full, the folder is read-only or not writable: the message says which,
    /// names the file, and the previous file is untouched.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        var target = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(target)!;
        var temporary = Path.Combine(folder, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(folder);
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
                // Without this a crash after the rename could leave the new name pointing at unwritten blocks.
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, target, overwrite: true);
        }
        catch (Exception e) when (StorageProblem(e, target) is { } message)
        {
            DeleteQuietly(temporary);
            throw new IOException(message, e);
        }
        catch
        {
            DeleteQuietly(temporary);
            throw;
        }
    }

    // errno values as .NET reports them on Linux (an IOException's HResult is the raw errno there).
    private const int NoSpace = 28, ReadOnlyFileSystem = 30, QuotaExceeded = 122;

    /// <summary>A plain statement of why <paramref name="target"/> could not be written when the cause is the storage,
    /// not the content; null otherwise.</summary>
    private static string? StorageProblem(Exception e, string target)
    {
        string unchanged = "nothing was written and the previous file, if any, is unchanged";
        return e switch
        {
            IOException { HResult: NoSpace or QuotaExceeded } =>
                $"no space left on the device holding {target} ({e.Message}): {unchanged}; free space and run again",
            IOException { HResult: ReadOnlyFileSystem } =>
                $"{Path.GetDirectoryName(target)} is on a read-only file system, so {target} cannot be written: {unchanged}",
            UnauthorizedAccessException =>
                $"no permission to write {target} ({e.Message}): {unchanged}; check the artifacts folder's owner and mode",
            _ => null,
        };
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

using System.Text.Json;
using System.Text.Json.Serialization;
using Atlas.Store;

namespace Atlas.Pipeline.Provenance;

/// <summary>Reads and atomically writes <c>&lt;stageDir&gt;/lock.json</c>.</summary>
public static class LockStore
{
    /// <summary>The lock file's name inside a stage folder.</summary>
    public const string FileName = "lock.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The lock file of the stage folder <paramref name="stageDir"/>.</summary>
    public static string PathIn(string stageDir) => Path.Combine(stageDir, FileName);

    /// <summary>Writes the lock record atomically (snake_case JSON), creating the folder if needed.</summary>
    public static void Write(string stageDir, LockRecord record) => AtomicFile.WriteJson(PathIn(stageDir), record, Json);

    /// <summary>Writes a record atomically to another file in the lock's format (a failed run's record kept beside the
    /// lock it must not replace).</summary>
    public static void WriteFile(string path, LockRecord record) => AtomicFile.WriteJson(path, record, Json);

    /// <summary>
    /// The stage's lock record. A truncated or corrupt file (a crash mid-write on a file system without atomic rename,
    /// a hand edit, an older format) is reported as a <see cref="StoredLock.Problem"/>, never thrown: the stage is
    /// simply stale.
    /// </summary>
    public static StoredLock Read(string stageDir)
    {
        var path = PathIn(stageDir);
        if (!File.Exists(path)) return StoredLock.Missing;
        try
        {
            return JsonSerializer.Deserialize<LockRecord>(File.ReadAllText(path), Json) is { } record
                ? new StoredLock(record, null)
                : new StoredLock(null, $"lock record {path} is empty");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or IOException or UnauthorizedAccessException)
        {
            return new StoredLock(null, $"lock record {path} is unreadable ({e.Message})");
        }
    }
}

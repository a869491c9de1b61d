using System.Text.Json;
using Atlas.Store;

namespace Atlas.Stages.Composition;

/// <summary>
/// The finished runs of a stage that performs many independent runs (shots × seeds, data fractions): each result is
/// saved as soon as it exists, under the stage's run key, so a killed stage resumes with the next unfinished run and a
/// stage with other parameters or inputs starts afresh. Removed once the stage's outputs are written.
/// </summary>
public sealed class RunLedger<T>(string path, string runKey, TextWriter log)
{
    private readonly Dictionary<string, T> _finished = Load(path, runKey, log);

    /// <summary>The result of run <paramref name="id"/>: the recorded one, or <paramref name="compute"/>'s, recorded.</summary>
    public T GetOrRun(string id, Func<T> compute)
    {
        if (_finished.TryGetValue(id, out var done))
        {
            log.WriteLine($"  {id}: finished before the interruption, reused");
            return done;
        }
        var result = compute();
        _finished[id] = result;
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(new Ledger(runKey, _finished)));
        return result;
    }

    public void Delete() => File.Delete(path);

    private sealed record Ledger(string RunKey, Dictionary<string, T> Runs);

    private static Dictionary<string, T> Load(string path, string runKey, TextWriter log)
    {
        if (!File.Exists(path)) return [];
        try
        {
            var ledger = JsonSerializer.Deserialize<Ledger>(File.ReadAllText(path));
            if (ledger?.RunKey == runKey) return ledger.Runs;
            log.WriteLine($"  {path} belongs to other parameters or inputs; starting fresh");
        }
        catch (JsonException e)
        {
            log.WriteLine($"  {path} is unreadable ({e.Message}); starting fresh");
        }
        return [];
    }
}

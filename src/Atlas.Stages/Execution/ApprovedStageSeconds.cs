using System.Text.Json;
using Atlas.Pipeline.Provenance;
using Atlas.Store;

namespace Atlas.Stages.Execution;

/// <summary>
/// The seconds each stage took in the run whose tables were last approved, kept beside the approved tables as
/// <c>stage_seconds.json</c> (written by <c>atlas approve</c>). A cold run has no lock records to say which stages are
/// long, so without it the local executor can only rank a stage by how much of the graph waits on it, and the mini's
/// long leaf stages (few-shot, PEFT, selection) started late. Only a scheduling hint: no result depends on it, and a
/// missing or unreadable file means no hints.
/// </summary>
public static class ApprovedStageSeconds
{
    /// <summary>The file's name inside the spec's <c>verify.approved</c> folder.</summary>
    public const string FileName = "stage_seconds.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Records the duration of every stage whose lock says it succeeded; returns how many it recorded, or
    /// null when the spec has no approved folder.</summary>
    public static int? Write(ExperimentSession session)
    {
        var context = session.Context;
        if (Path(context) is not { } path) return null;
        var seconds = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var node in session.Graph.Nodes)
        {
            var record = LockStore.Read(context.Absolute(context.Layout.StageDir(node.Id))).Record;
            if (record is { Status: LockStatus.Succeeded }) seconds[node.Id] = Math.Round(record.DurationSeconds, 1);
        }
        AtomicFile.WriteAllText(context.Absolute(path), JsonSerializer.Serialize(seconds, Indented) + "\n");
        return seconds.Count;
    }

    /// <summary>The recorded seconds per stage id; empty when there is no file or it cannot be read.</summary>
    public static IReadOnlyDictionary<string, double> Read(ExperimentContext context)
    {
        if (Path(context) is not { } path || !File.Exists(context.Absolute(path))) return new Dictionary<string, double>();
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(context.Absolute(path)))
                ?? new Dictionary<string, double>();
        }
        catch (JsonException)
        {
            return new Dictionary<string, double>(); // a hint only: a damaged file orders stages as if it were absent
        }
    }

    private static string? Path(ExperimentContext context) =>
        context.Spec.Verify?.Approved is { } folder ? System.IO.Path.Combine(folder, FileName) : null;
}

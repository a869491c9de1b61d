using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Atlas.Pipeline.Provenance;
using Atlas.Pipeline.Specs;

namespace Atlas.Stages.Audit;

/// <summary>
/// The lineage of one number (<c>atlas trace TABLE ROW COLUMN</c>): the cell's value, the stages its family computes it
/// from (<see cref="ExperimentFamily.CellStages"/>), and from each of them back to the data and the pretraining, every
/// stage once: its parameters, seed, threads, code, times, how its model was chosen where its result records it, and
/// every input with its hash and the stage that produced it. It reads only the experiment folder (possibly a copy).
/// </summary>
public sealed class CellTrace(ExperimentSession session, ArtifactFolder folder)
{
    private const int ShownArrayItems = 4;

    /// <summary>The trace as text.</summary>
    /// <exception cref="ArgumentException">An unknown table, row or column (with the valid names).</exception>
    /// <exception cref="FileNotFoundException">The table was not written (the experiment has not reached its report).</exception>
    public string Render(string table, string row, string column)
    {
        var context = session.Context;
        var tables = ReportStage.TableNames(context.Spec).Concat(ReportStage.CostTableNames(context.Spec)).ToList();
        Require("table", table, tables);
        var csvPath = context.Layout.Table(table, "csv");
        var file = folder.Resolve(csvPath);
        if (!File.Exists(file)) throw new FileNotFoundException($"{csvPath}: no such table here; run the Report stage first", file);
        var lines = File.ReadAllLines(file).Where(l => l.Length > 0).Select(l => l.Split(',')).ToList();
        var columns = lines[0].Skip(1).ToList();
        Require("row", row, lines.Skip(1).Select(l => l[0]).ToList());
        Require("column", column, columns);
        string value = lines.Skip(1).First(l => l[0] == row)[1 + columns.IndexOf(column)];

        var sources = ExperimentFamilies.Reporting(context.Spec, table).CellStages(context.Spec, table, row, column);
        var text = new StringBuilder();
        text.AppendLine($"{table} / {row} / {column} = {value}   ({csvPath})");
        text.AppendLine($"computed from: {string.Join(", ", sources)}");

        var producers = Producers();
        var shown = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<string>(sources);
        while (pending.TryDequeue(out var stage))
        {
            if (!shown.Add(stage)) continue;
            text.AppendLine();
            foreach (var producer in Describe(stage, producers, text)) pending.Enqueue(producer);
        }
        return text.ToString();
    }

    /// <summary>Writes one stage's block; returns the stages that produced its inputs.</summary>
    private IEnumerable<string> Describe(string stage, Dictionary<string, (string Stage, string Sha256)> producers, StringBuilder text)
    {
        var stored = folder.ReadLock(stage);
        if (stored.Record is not { } record)
        {
            text.AppendLine($"[{stage}]  BROKEN: {stored.Problem ?? "no lock record"}");
            return [];
        }
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"[{stage}]  {record.Status.ToString().ToLowerInvariant()}, {record.StartedUtc:yyyy-MM-dd HH:mm:ss} → {record.EndedUtc:HH:mm:ss} UTC ({record.DurationSeconds:F1} s)"));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"  seed {record.Seed}, {record.Threads} thread(s), code {Code(record)}, params {record.ParamsHash[..12]}…"));
        text.AppendLine($"  parameters: {string.Join(", ", Flatten(record.Parameters["stage"] ?? record.Parameters, "").Take(40))}");
        foreach (var choice in Choices(record)) text.AppendLine($"  chosen: {choice}");
        var next = new List<string>();
        foreach (var (path, hash) in record.Inputs.OrderBy(i => i.Key, StringComparer.Ordinal))
        {
            if (!folder.Contains(path))
            {
                text.AppendLine($"  ← {path}  {hash[..12]}…  (source file, not produced by a stage)");
                continue;
            }
            if (!producers.TryGetValue(path, out var producer))
            {
                text.AppendLine($"  ← {path}  {hash[..12]}…  BROKEN: no stage's lock records producing it");
                continue;
            }
            text.AppendLine(producer.Sha256 == hash
                ? $"  ← {path}  {hash[..12]}…  from {producer.Stage}"
                : $"  ← {path}  {hash[..12]}…  BROKEN: {producer.Stage} recorded writing {producer.Sha256[..12]}…");
            next.Add(producer.Stage);
        }
        return next;
    }

    /// <summary>Every recorded output (and lock file) here → the stage that wrote it and its hash.</summary>
    private Dictionary<string, (string Stage, string Sha256)> Producers()
    {
        var producers = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (var stage in folder.StagesWithLocks())
        {
            if (folder.ReadLock(stage).Record is not { } record) continue;
            foreach (var (path, output) in record.Outputs) producers[path] = (stage, output.Sha256);
            var lockPath = session.Context.Layout.Lock(stage);
            if (File.Exists(folder.Resolve(lockPath))) producers[lockPath] = (stage, Store.ContentHash.OfFile(folder.Resolve(lockPath)));
        }
        return producers;
    }

    /// <summary>How the stage's model was chosen, where its result file records it: its top-level scalar fields named
    /// for a selection (<c>Selection</c>, <c>AtlasBestEpoch</c>, <c>Alpha</c>…).</summary>
    private IEnumerable<string> Choices(LockRecord record)
    {
        foreach (var path in record.Outputs.Keys.Where(p => p.EndsWith("result.json", StringComparison.Ordinal)))
        {
            var file = folder.Resolve(path);
            if (!File.Exists(file) || JsonNode.Parse(File.ReadAllText(file)) is not JsonObject result) continue;
            foreach (var (name, node) in result)
                if (node is JsonValue && (name.Contains("Selection", StringComparison.Ordinal) || name.Contains("Best", StringComparison.Ordinal)
                                          || name.Contains("Alpha", StringComparison.Ordinal) || name.Contains("Chosen", StringComparison.Ordinal)))
                    yield return $"{name} = {node.ToJsonString()}";
        }
    }

    private static string Code(LockRecord record) =>
        (record.Code.Commit is { } commit ? commit[..Math.Min(10, commit.Length)] + (record.Code.Dirty == true ? "+dirty" : "") : "unknown commit")
        + (record.CodeFingerprint is { } fingerprint ? $" (fingerprint {fingerprint[..12]}…)" : "");

    /// <summary><c>key=value</c> pairs of a parameter object, dotted; arrays longer than a few items abbreviated.</summary>
    private static IEnumerable<string> Flatten(JsonNode? node, string prefix)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                    foreach (var pair in Flatten(child, prefix.Length == 0 ? key : $"{prefix}.{key}")) yield return pair;
                break;
            case JsonArray array when array.All(item => item is JsonValue):
                var items = array.Take(ShownArrayItems).Select(item => item!.ToJsonString());
                yield return $"{prefix}=[{string.Join(",", items)}{(array.Count > ShownArrayItems ? $",… ({array.Count})" : "")}]";
                break;
            case JsonArray array:
                yield return $"{prefix}=[{array.Count} items]";
                break;
            default:
                yield return $"{prefix}={node?.ToJsonString() ?? "null"}";
                break;
        }
    }

    private static void Require(string what, string given, IReadOnlyList<string> valid)
    {
        if (valid.Contains(given)) return;
        var suggestion = NameSuggestion.Closest(given, valid);
        throw new ArgumentException($"unknown {what} '{given}'{(suggestion is null ? "" : $" (did you mean '{suggestion}'?)")}; {what}s: {string.Join(", ", valid)}");
    }
}

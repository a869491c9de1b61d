using System.Globalization;
using System.Text;
using Atlas.Pipeline.Provenance;

namespace Atlas.Stages;

/// <summary>A Markdown table of where each number came from: one row per stage, from its lock record.</summary>
public static class ProvenanceTable
{
    public static string Render(ExperimentContext context, IEnumerable<string> stageIds)
    {
        var text = new StringBuilder();
        text.AppendLine("| stage | finished (UTC) | seconds | seed | threads | parameters | code |");
        text.AppendLine("|---|---|---:|---:|---:|---|---|");
        foreach (var id in stageIds)
        {
            var record = LockStore.Read(context.Absolute(context.Layout.StageDir(id))).Record;
            if (record is null)
            {
                text.AppendLine($"| {id} | (no lock record) | | | | | |");
                continue;
            }
            var code = record.Code.Commit is { } commit ? commit[..Math.Min(10, commit.Length)] + (record.Code.Dirty == true ? "+dirty" : "") : "unknown";
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {id} | {record.EndedUtc:yyyy-MM-dd HH:mm:ss} | {record.DurationSeconds:F1} | {record.Seed} | {record.Threads} | `{record.ParamsHash[..12]}` | {code} |"));
        }
        text.AppendLine();
        text.AppendLine("Each stage folder holds its `lock.json`: resolved command, parameters, input and output hashes, packages and machine.");
        return text.ToString();
    }
}

using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Atlas.Pipeline.Provenance;

namespace Atlas.Pipeline.Graph;

/// <summary>A stage graph with each stage's status, for people (text) and build scripts (JSON).</summary>
public static class StagePlan
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// One line per stage in topological order: id, status, and what it needs, aligned in columns, e.g.
    /// <c>finetune/mnist  stale: no lock record  ← heads/mnist</c>.
    /// </summary>
    public static string RenderText(StageGraph graph, Func<StageNode, string> status)
    {
        var rows = graph.TopologicalOrder().Select(n => (n.Id, Status: status(n), n.DependsOn)).ToList();
        int idWidth = rows.Max(r => (int?)r.Id.Length) ?? 0;
        int statusWidth = rows.Max(r => (int?)r.Status.Length) ?? 0;
        var text = new StringBuilder();
        foreach (var (id, state, dependsOn) in rows)
        {
            var line = $"{id.PadRight(idWidth)}  {state.PadRight(statusWidth)}";
            if (dependsOn.Count > 0) line += $"  ← {StageGraph.Abbreviate(dependsOn)}";
            text.Append(line.TrimEnd()).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The plan in topological order as a JSON array of <see cref="PlanEntry"/>.</summary>
    public static string ToJson(StageGraph graph, Func<StageNode, Freshness> freshness) =>
        JsonSerializer.Serialize(Entries(graph, freshness), Json);

    /// <summary>The plan in topological order.</summary>
    public static IReadOnlyList<PlanEntry> Entries(StageGraph graph, Func<StageNode, Freshness> freshness) =>
        graph.TopologicalOrder()
            .Select(node =>
            {
                var state = freshness(node);
                return new PlanEntry(
                    node.Id,
                    node.Phase,
                    node.Description,
                    node.DependsOn,
                    state.IsUpToDate ? "up to date" : "stale",
                    state.IsUpToDate,
                    state.ToString(),
                    state.Reasons);
            })
            .ToList();
}

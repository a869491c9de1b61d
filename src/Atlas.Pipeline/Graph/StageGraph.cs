using Atlas.Pipeline.Provenance;

namespace Atlas.Pipeline.Graph;

/// <summary>The stages of an experiment and their dependencies.</summary>
public sealed class StageGraph
{
    private readonly List<StageNode> nodes = [];
    private readonly Dictionary<string, StageNode> byId = new(StringComparer.Ordinal);

    /// <summary>The stages in insertion order.</summary>
    public IReadOnlyList<StageNode> Nodes => nodes;

    /// <exception cref="StageGraphException">A stage with this id exists.</exception>
    public StageGraph Add(StageNode node)
    {
        if (!byId.TryAdd(node.Id, node)) throw new StageGraphException($"stage '{node.Id}' is defined twice");
        nodes.Add(node);
        return this;
    }

    /// <exception cref="KeyNotFoundException">No such stage.</exception>
    public StageNode this[string id] =>
        byId.TryGetValue(id, out var node) ? node : throw new KeyNotFoundException($"no stage '{id}'");

    /// <summary>Checks that every dependency exists and there is no cycle.</summary>
    /// <exception cref="StageGraphException">Lists every unknown dependency, or one cycle.</exception>
    public void Validate() => TopologicalOrder();

    /// <summary>
    /// Every stage after all of its dependencies. Stable: among stages that are ready, the one added first comes
    /// first, so the order changes only when the graph does.
    /// </summary>
    /// <exception cref="StageGraphException">Unknown dependencies or a cycle.</exception>
    public IReadOnlyList<StageNode> TopologicalOrder()
    {
        var unknown = nodes
            .SelectMany(n => n.DependsOn.Where(d => !byId.ContainsKey(d)).Select(d => $"stage '{n.Id}' depends on unknown stage '{d}'"))
            .ToList();
        if (unknown.Count > 0) throw new StageGraphException(string.Join(Environment.NewLine, unknown));

        var position = nodes.Select((n, i) => (n.Id, i)).ToDictionary(p => p.Id, p => p.i);
        var waitingOn = nodes.ToDictionary(n => n.Id, n => n.DependsOn.Distinct().Count());
        var ready = new PriorityQueue<StageNode, int>(nodes.Where(n => waitingOn[n.Id] == 0).Select(n => (n, position[n.Id])));
        var order = new List<StageNode>(nodes.Count);
        while (ready.TryDequeue(out var node, out _))
        {
            order.Add(node);
            foreach (var dependent in Dependents(node.Id))
                if (--waitingOn[dependent.Id] == 0) ready.Enqueue(dependent, position[dependent.Id]);
        }
        if (order.Count < nodes.Count) throw new StageGraphException($"dependency cycle: {string.Join(" → ", FindCycle())} (each stage depends on the next)");
        return order;
    }

    /// <summary>Every stage that directly or indirectly depends on <paramref name="id"/>, in topological order.</summary>
    /// <exception cref="KeyNotFoundException">No such stage.</exception>
    public IReadOnlyList<StageNode> Downstream(string id)
    {
        _ = this[id];
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([id]);
        while (pending.TryPop(out var current))
            foreach (var dependent in Dependents(current))
                if (reached.Add(dependent.Id)) pending.Push(dependent.Id);
        return TopologicalOrder().Where(n => reached.Contains(n.Id)).ToList();
    }

    /// <summary>
    /// Each stage's freshness with its upstream taken into account: a stage whose dependency will run is stale too,
    /// since the plan is decided before anything runs and the dependency's new outputs may differ.
    /// </summary>
    public IReadOnlyDictionary<string, Freshness> EffectiveFreshness(Func<StageNode, Freshness> ownFreshness)
    {
        var result = new Dictionary<string, Freshness>(StringComparer.Ordinal);
        foreach (var node in TopologicalOrder())
        {
            var own = ownFreshness(node);
            var rerunDependencies = node.DependsOn.Distinct().Where(d => !result[d].IsUpToDate).ToList();
            result[node.Id] = rerunDependencies.Count == 0
                ? own
                : Freshness.Stale(own.Reasons.Append($"upstream will run: {Abbreviate(rerunDependencies)}"));
        }
        return result;
    }

    private IEnumerable<StageNode> Dependents(string id) => nodes.Where(n => n.DependsOn.Contains(id));

    /// <summary>One cycle as a closed path of ids (<c>a → b → a</c>), found by depth-first search.</summary>
    private List<string> FindCycle()
    {
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: on the current path; true: done
        var path = new List<string>();
        foreach (var node in nodes)
            if (Visit(node.Id) is { } cycle) return cycle;
        throw new InvalidOperationException("no cycle found although topological sorting stalled");

        List<string>? Visit(string id)
        {
            if (state.TryGetValue(id, out bool done))
                return done ? null : [.. path.Skip(path.IndexOf(id)), id];
            state[id] = false;
            path.Add(id);
            foreach (var dependency in byId[id].DependsOn)
                if (Visit(dependency) is { } cycle) return cycle;
            path.RemoveAt(path.Count - 1);
            state[id] = true;
            return null;
        }
    }

    /// <summary>Names the first few ids and counts the rest, so one line stays readable for a stage with many inputs.</summary>
    public static string Abbreviate(IReadOnlyList<string> ids, int shown = 3) =>
        ids.Count <= shown ? string.Join(", ", ids) : $"{string.Join(", ", ids.Take(shown))} and {ids.Count - shown} more";
}

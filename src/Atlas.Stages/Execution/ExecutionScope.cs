namespace Atlas.Stages.Execution;

/// <summary>Which stages an executor runs: the targets with everything they need (the whole graph without targets),
/// those of them that are stale (all of them when forced). Shared by the local and the Slurm executor, so both run the
/// same stages for the same request.</summary>
public static class ExecutionScope
{
    /// <summary>The targets and every stage they depend on (the whole graph without targets).</summary>
    public static HashSet<string> Closure(ExperimentSession session, IReadOnlyList<string> targets)
    {
        if (targets.Count == 0) return session.Graph.Nodes.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        var closure = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(targets.Select(t => session.Graph[t].Id));
        while (pending.TryPop(out var id))
            if (closure.Add(id))
                foreach (var dependency in session.Graph[id].DependsOn) pending.Push(dependency);
        return closure;
    }

    /// <summary>The stages of <paramref name="closure"/> to run: the stale ones, or every one when <paramref name="force"/>.</summary>
    public static HashSet<string> ToRun(ExperimentSession session, IReadOnlySet<string> closure, bool force)
    {
        var plan = session.Plan();
        return closure.Where(id => force || !plan[id].IsUpToDate).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The last lines of a log file, indented, for a failure message.</summary>
    public static string Tail(string path, int lines = 15) =>
        File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(lines).Select(l => "    " + l)) : $"    (no log at {path})";
}

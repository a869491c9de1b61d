using System.Collections.Concurrent;
using Atlas.Pipeline.Execution;
using Atlas.Pipeline.Graph;

namespace Atlas.Pipeline.Tests.Execution;

/// <summary>The parallel scheduler on small hand-made graphs with a fake runner: order, concurrency, failures, cancellation.</summary>
public sealed class GraphSchedulerTests
{
    private static StageGraph Graph(params (string Id, string[] DependsOn)[] stages)
    {
        var graph = new StageGraph();
        foreach (var (id, dependsOn) in stages) graph.Add(new StageNode(id, "Phase", dependsOn, id));
        return graph;
    }

    private static HashSet<string> All(StageGraph graph) => graph.Nodes.Select(n => n.Id).ToHashSet();

    [Fact]
    public async Task With_one_job_the_stage_heading_the_costliest_chain_goes_first()
    {
        // a; then b (cost 1), c (cost 10) and e (cost 5) are ready together; d (cost 100) waits for b. Chains: b → d
        // costs 101, c 10, e 5.
        var graph = Graph(("a", []), ("b", ["a"]), ("c", ["a"]), ("d", ["b"]), ("e", ["a"]));
        var costs = new Dictionary<string, double> { ["a"] = 1, ["b"] = 1, ["c"] = 10, ["d"] = 100, ["e"] = 5 };
        var order = new List<string>();

        var results = await GraphScheduler.RunAsync(graph, All(graph), 1, id => costs[id],
            (id, _) => { lock (order) order.Add(id); return Task.FromResult(StageOutcome.Succeeded); });

        // b is the cheapest stage but heads the costliest chain, so it goes first and d starts as early as it can; ranked
        // by their own costs (c, e, b, d) the costliest stage would have started last.
        Assert.Equal(["a", "b", "d", "c", "e"], order);
        Assert.All(results, r => Assert.Equal(StageOutcome.Succeeded, r.Outcome));
        Assert.Equal(["a", "b", "c", "d", "e"], results.Select(r => r.Id)); // topological order, ties by insertion
    }

    [Fact]
    public async Task No_more_than_jobs_stages_run_at_once_and_each_starts_after_its_dependencies_end()
    {
        // A root, six independent stages on it, and a join of them all.
        string[] middle = ["m1", "m2", "m3", "m4", "m5", "m6"];
        var graph = Graph([("root", []), .. middle.Select(m => (m, new[] { "root" })), ("join", middle)]);
        int running = 0, most = 0;
        var started = new ConcurrentDictionary<string, DateTime>();
        var ended = new ConcurrentDictionary<string, DateTime>();

        var results = await GraphScheduler.RunAsync(graph, All(graph), 3, _ => 1, async (id, _) =>
        {
            started[id] = DateTime.UtcNow;
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            await Task.Delay(40);
            Interlocked.Decrement(ref running);
            ended[id] = DateTime.UtcNow;
            return StageOutcome.Succeeded;
        });

        Assert.Equal(3, most);
        Assert.All(middle, m => Assert.True(started[m] >= ended["root"], $"{m} started before root ended"));
        Assert.All(middle, m => Assert.True(started["join"] >= ended[m], $"join started before {m} ended"));
        Assert.Equal(8, results.Count(r => r.Outcome == StageOutcome.Succeeded));
    }

    [Fact]
    public async Task A_failure_blocks_its_dependents_only_and_the_independent_branch_still_runs()
    {
        var graph = Graph(("a", []), ("b", ["a"]), ("c", ["b"]), ("d", ["c"]), ("e", ["a"]));

        var results = await GraphScheduler.RunAsync(graph, All(graph), 2, _ => 1,
            (id, _) => Task.FromResult(id == "b" ? StageOutcome.Failed : StageOutcome.Succeeded));

        var byId = results.ToDictionary(r => r.Id);
        Assert.Equal(StageOutcome.Failed, byId["b"].Outcome);
        Assert.Equal((StageOutcome.NotStarted, "b"), (byId["c"].Outcome, byId["c"].BlockedBy));
        Assert.Equal((StageOutcome.NotStarted, "b"), (byId["d"].Outcome, byId["d"].BlockedBy));
        Assert.Equal(StageOutcome.Succeeded, byId["e"].Outcome);
        Assert.Null(byId["c"].Started);
    }

    [Fact]
    public async Task Stages_left_out_count_as_done_and_are_not_run()
    {
        var graph = Graph(("a", []), ("b", ["a"]), ("c", ["b"]));
        var ran = new List<string>();

        var results = await GraphScheduler.RunAsync(graph, new HashSet<string> { "c" }, 2, _ => 1,
            (id, _) => { ran.Add(id); return Task.FromResult(StageOutcome.Succeeded); });

        Assert.Equal(["c"], ran);
        Assert.Equal(["c"], results.Select(r => r.Id));
    }

    [Fact]
    public async Task Cancelling_stops_the_running_stages_and_starts_no_more()
    {
        var graph = Graph(("a", []), ("b", []), ("c", []), ("d", ["a"]));
        using var cancel = new CancellationTokenSource();
        int started = 0;

        var run = GraphScheduler.RunAsync(graph, All(graph), 2, _ => 1, async (id, token) =>
        {
            if (Interlocked.Increment(ref started) == 2) cancel.CancelAfter(50);
            await Task.Delay(Timeout.Infinite, token); // a stage that only ends when stopped
            return StageOutcome.Succeeded;
        }, cancel: cancel.Token);
        var results = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, started);
        Assert.Equal(2, results.Count(r => r.Outcome == StageOutcome.Cancelled));
        Assert.Equal(2, results.Count(r => r.Outcome == StageOutcome.NotStarted));
        Assert.Equal(["a", "b"], results.Where(r => r.Outcome == StageOutcome.Cancelled).Select(r => r.Id).Order());
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = target) < value && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }
}

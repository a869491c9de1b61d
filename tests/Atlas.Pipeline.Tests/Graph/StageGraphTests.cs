using System.Text.Json;
using Atlas.Pipeline.Graph;
using Atlas.Pipeline.Provenance;

namespace Atlas.Pipeline.Tests.Graph;

public sealed class StageGraphTests
{
    [Fact]
    public void Topological_order_is_stable_by_insertion()
    {
        var graph = Graph(
            ("report", ["finetune/b", "finetune/a"]),
            ("finetune/b", ["pretrain"]),
            ("finetune/a", ["pretrain"]),
            ("pretrain", ["data"]),
            ("data", []));

        Assert.Equal(["data", "pretrain", "finetune/b", "finetune/a", "report"], graph.TopologicalOrder().Select(n => n.Id));
    }

    [Fact]
    public void Cycle_is_reported_as_a_path()
    {
        var graph = Graph(("data", []), ("a", ["data", "c"]), ("b", ["a"]), ("c", ["b"]));

        var error = Assert.Throws<StageGraphException>(graph.Validate);

        Assert.Equal("dependency cycle: a → c → b → a (each stage depends on the next)", error.Message);
    }

    [Fact]
    public void Unknown_dependency_and_duplicate_id_are_reported()
    {
        var graph = Graph(("a", ["missing"]));

        Assert.Equal("stage 'a' depends on unknown stage 'missing'", Assert.Throws<StageGraphException>(graph.Validate).Message);
        Assert.Throws<StageGraphException>(() => graph.Add(new StageNode("a", "X", [], "")));
    }

    [Fact]
    public void Downstream_is_every_transitive_dependent()
    {
        var graph = Graph(("data", []), ("pretrain", ["data"]), ("heads", ["pretrain"]), ("other", ["data"]), ("report", ["heads"]));

        Assert.Equal(["heads", "report"], graph.Downstream("pretrain").Select(n => n.Id));
        Assert.Empty(graph.Downstream("report"));
    }

    [Fact]
    public void Stale_upstream_makes_dependents_stale()
    {
        var graph = Graph(("data", []), ("pretrain", ["data"]), ("heads", ["pretrain"]), ("other", ["data"]));

        var freshness = graph.EffectiveFreshness(n => n.Id == "pretrain" ? Freshness.Stale("no lock record") : Freshness.UpToDate);

        Assert.True(freshness["data"].IsUpToDate);
        Assert.True(freshness["other"].IsUpToDate);
        Assert.Equal(["no lock record"], freshness["pretrain"].Reasons);
        Assert.Equal(["upstream will run: pretrain"], freshness["heads"].Reasons);
    }

    [Fact]
    public void Long_id_lists_are_abbreviated()
    {
        Assert.Equal("a, b, c", StageGraph.Abbreviate(["a", "b", "c"]));
        Assert.Equal("a, b, c and 2 more", StageGraph.Abbreviate(["a", "b", "c", "d", "e"]));
    }

    [Fact]
    public void Plan_renders_as_aligned_text()
    {
        var graph = Graph(("data", []), ("finetune/mnist", ["data"]));

        var text = StagePlan.RenderText(graph, n => n.Id == "data" ? "up to date" : "stale: no lock record");

        Assert.Equal("data            up to date\nfinetune/mnist  stale: no lock record  ← data\n", text);
    }

    [Fact]
    public void Plan_json_reads_into_the_cake_scripts_class()
    {
        var graph = Graph(("data", []), ("finetune/mnist", ["data"]));

        var json = StagePlan.ToJson(graph, n => n.Id == "data" ? Freshness.UpToDate : Freshness.Stale("no lock record", "upstream stage 'data' will run"));
        var stages = JsonSerializer.Deserialize<List<PlannedStage>>(json, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;

        Assert.Equal(["data", "finetune/mnist"], stages.Select(s => s.Id));
        Assert.Equal("Phase", stages[1].Phase);
        Assert.Equal(["data"], stages[1].DependsOn);
        Assert.Equal((true, "up to date"), (stages[0].UpToDate, stages[0].Reason));
        Assert.Equal((false, "no lock record; upstream stage 'data' will run"), (stages[1].UpToDate, stages[1].Reason));
        Assert.Contains("\"status\": \"stale\"", json);
    }

    private static StageGraph Graph(params (string Id, string[] DependsOn)[] nodes)
    {
        var graph = new StageGraph();
        foreach (var (id, dependsOn) in nodes) graph.Add(new StageNode(id, "Phase", dependsOn, $"the {id} stage"));
        return graph;
    }

    /// <summary>The class build/build.cake deserialises the plan into.</summary>
    private sealed class PlannedStage
    {
        public string Id { get; set; } = "";
        public string Phase { get; set; } = "";
        public string Description { get; set; } = "";
        public List<string> DependsOn { get; set; } = new();
        public bool UpToDate { get; set; }
        public string Reason { get; set; } = "";
    }
}

using Atlas.Pipeline.Specs;
using Atlas.Stages.Audit;
using Atlas.Stages.Tests.Support;

namespace Atlas.Stages.Tests;

/// <summary><c>atlas trace</c> on the finished micro experiment: one number's stages back to the data and the pretraining.</summary>
[Collection(MicroPipelineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Slow)] // reads the micro pipeline's artifacts
public sealed class CellTraceTests(MicroPipeline pipeline)
{
    [Fact]
    public void A_task_addition_cell_is_traced_from_its_method_stage_to_the_data_and_the_pretraining()
    {
        string text = Trace("task_addition", "atlas_blockwise", "mnist");
        var lines = text.Split('\n');

        // The value is the table's.
        var csv = File.ReadAllLines(pipeline.Repository.Absolute("artifacts/micro/tables/task_addition.csv"));
        int column = Array.IndexOf(csv[0].Split(','), "mnist");
        string value = csv.Single(l => l.StartsWith("atlas_blockwise,", StringComparison.Ordinal)).Split(',')[column];
        Assert.Equal($"task_addition / atlas_blockwise / mnist = {value}   (artifacts/micro/tables/task_addition.csv)", lines[0]);
        Assert.Equal("computed from: addition/atlas_blockwise", lines[1]);

        // Each stage of the chain appears once, as a block of its own.
        string[] chain = ["addition/atlas_blockwise", "taskvector/mnist", "finetune/mnist", "heads/mnist", "evaluate/mnist", "pretrain", "data"];
        foreach (var stage in chain) Assert.Single(lines, l => l.StartsWith($"[{stage}]  succeeded", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("chosen: Selection = ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("← artifacts/micro/finetune/mnist/visual.safetensors", StringComparison.Ordinal) && l.EndsWith("from finetune/mnist", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("(source file, not produced by a stage)", StringComparison.Ordinal));
        Assert.DoesNotContain("BROKEN", text);
        // Nothing of the other families: negation and few-shot are not behind a task-addition number.
        Assert.DoesNotContain(lines, l => l.StartsWith("[negation/", StringComparison.Ordinal) || l.StartsWith("[fewshot/", StringComparison.Ordinal));
    }

    [Fact]
    public void The_normalised_mean_is_computed_from_the_method_and_every_tasks_evaluation()
    {
        var lines = Trace("task_addition", "atlas_blockwise", "mean_normalized").Split('\n');

        Assert.Equal("computed from: addition/atlas_blockwise, evaluate/mnist, evaluate/mnist_parity, evaluate/fashion_coarse", lines[1]);
        Assert.Equal("computed from: evaluate/mnist_parity", Trace("task_addition", "zero_shot", "mnist_parity").Split('\n')[1]);
        Assert.Equal("computed from: evaluate/fashion_coarse", Trace("finetune_accuracy", "fashion_coarse", "finetuned_test").Split('\n')[1]);
    }

    [Fact]
    public void An_unknown_column_is_refused_with_the_valid_ones_and_a_suggestion()
    {
        var error = Assert.Throws<ArgumentException>(() => Trace("task_addition", "atlas_blockwise", "mnst"));
        Assert.StartsWith("unknown column 'mnst' (did you mean 'mnist'?); columns: mnist, mnist_parity, fashion_coarse, mean_absolute, mean_normalized", error.Message);
    }

    [Fact]
    public void A_changed_artifact_shows_as_a_broken_link()
    {
        using var repository = new TempRepository();
        repository.CopyArtifactsFrom(pipeline.Repository);
        // The task vector's producer now records other bytes than its consumer read.
        string lockPath = repository.Absolute("artifacts/micro/taskvector/mnist/lock.json");
        var record = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(lockPath))!;
        var output = record["outputs"]!.AsObject().Single().Value!;
        output["sha256"] = new string('0', 64);
        File.WriteAllText(lockPath, record.ToJsonString());

        using var session = ExperimentSession.Open(repository.SpecPath, new StringWriter(), repository.Root, SpecCheckLevel.GraphOnly);
        string text = new CellTrace(session, ArtifactFolder.Of(session.Context)).Render("task_addition", "atlas_blockwise", "mnist");

        // Every reader of the vector shows the break (the addition stage and the evaluation).
        var broken = text.Split('\n').Where(l => l.Contains("BROKEN: taskvector/mnist recorded writing 000000000000…", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, broken.Count);
        Assert.All(broken, l => Assert.Contains("← artifacts/micro/taskvector/mnist/task_vector.safetensors", l));
    }

    private string Trace(string table, string row, string column)
    {
        using var session = ExperimentSession.Open(pipeline.Repository.SpecPath, new StringWriter(), pipeline.Repository.Root, SpecCheckLevel.GraphOnly);
        return new CellTrace(session, ArtifactFolder.Of(session.Context)).Render(table, row, column);
    }
}

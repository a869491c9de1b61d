using System.Text.Json.Nodes;
using Atlas.Pipeline.Provenance;
using Atlas.Store;
using Atlas.Stages.Tests.Support;

namespace Atlas.Stages.Tests;

/// <summary>The micro experiment end to end: every stage runs once, leaves its outputs and an exact lock record, and a second pass has nothing to do.</summary>
[Collection(MicroPipelineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Slow)] // runs the micro pipeline
public sealed class EndToEndTests(MicroPipeline pipeline)
{
    private static readonly string[] TableColumns = ["zero_shot_val", "zero_shot_test", "finetuned_val", "finetuned_test"];

    [Fact]
    public void Every_stage_runs_once_in_dependency_order()
    {
        // Written out by hand, not taken from the graph under test: every stage after all of its inputs, tasks in
        // spec order, each family in registration order.
        string[] expected =
        [
            "data", "pretrain",
            "heads/mnist", "heads/mnist_parity", "heads/fashion_coarse",
            "finetune/mnist", "finetune/mnist_parity", "finetune/fashion_coarse",
            "taskvector/mnist", "taskvector/mnist_parity", "taskvector/fashion_coarse",
            "evaluate/mnist", "evaluate/mnist_parity", "evaluate/fashion_coarse",
            "addition/task_arithmetic", "addition/ties", "addition/adamerging", "addition/atlas_isotropic", "addition/atlas_blockwise",
            "negation/mnist", "fewshot/fashion_coarse", "tta/mnist_parity", "selection/mnist_parity",
            "finetune_lora/mnist", "finetune_lora/mnist_parity", "taskvector_lora/mnist", "taskvector_lora/mnist_parity", "peft/fashion_coarse",
            "report",
        ];
        using var session = pipeline.Repository.Open();
        Assert.Equal(expected, session.Graph.TopologicalOrder().Select(n => n.Id));
        Assert.Equal(expected, pipeline.Ran);
        // The PEFT pool (every task but the target) adds a LoRA fine-tune and a LoRA task vector per task.
        Assert.Equal(2 + 4 * MicroSpec.Tasks.Count + MicroSpec.AdditionMethods.Count + 1 + 1 + 1 + 1 + 2 * (MicroSpec.Tasks.Count - 1) + 1 + 1,
            expected.Length);
        Assert.Equal([StageIds.Data, StageIds.Pretrain], expected.Take(2));
        Assert.Equal(StageIds.Report, expected[^1]);
    }

    [Fact]
    public void Report_tables_and_resolved_spec_are_written()
    {
        using var session = pipeline.Repository.Open();
        var layout = session.Context.Layout;
        foreach (var extension in new[] { "md", "csv", "json" })
            Assert.True(File.Exists(pipeline.Repository.Absolute(layout.Table(FoundationFamily.FineTuneTable, extension))), $"{extension} table missing");
        Assert.Equal(Path.Combine("artifacts", MicroSpec.Name, "tables", "finetune_accuracy.csv"), layout.Table(FoundationFamily.FineTuneTable, "csv"));

        var report = File.ReadAllText(pipeline.Repository.Absolute(layout.Report));
        Assert.Contains("# Atlas.Repro report: `micro`", report);
        foreach (var task in MicroSpec.Tasks) Assert.Contains($"| {task} |", report);
        Assert.Contains($"| {StageIds.FineTune("mnist")} |", report); // the provenance table

        var resolved = File.ReadAllText(pipeline.Repository.Absolute(layout.ResolvedSpec));
        Assert.Contains("name: micro", resolved);
        // Defaults and inheritance made explicit: every task carries its full recipe, the override kept. The other crop
        // scales: the default recipe, the addition, negation, few-shot, test-time and block-selection coefficient recipes,
        // the gradient-free few-shot objective's augmentation, and the PEFT augmentation.
        Assert.Equal(MicroSpec.Tasks.Count + 8, resolved.Split("crop_scale:").Length - 1);

        // Snapshots are removed once the stages completed.
        Assert.False(File.Exists(pipeline.Repository.Absolute(layout.PretrainCheckpoint)));
        foreach (var task in MicroSpec.Tasks) Assert.False(File.Exists(pipeline.Repository.Absolute(layout.FineTuneCheckpoint(task))));
    }

    [Fact]
    public void Accuracies_are_percentages_for_every_task_and_the_mean()
    {
        using var session = pipeline.Repository.Open();
        var layout = session.Context.Layout;
        var table = JsonNode.Parse(File.ReadAllText(pipeline.Repository.Absolute(layout.Table(FoundationFamily.FineTuneTable, "json"))))!;
        Assert.Equal(TableColumns, table["columns"]!.AsArray().Select(c => c!.GetValue<string>()));
        var rows = table["rows"]!.AsArray();
        Assert.Equal([.. MicroSpec.Tasks, "mean"], rows.Select(r => r!["key"]!.GetValue<string>()));
        foreach (var row in rows)
            foreach (var column in TableColumns)
            {
                double value = row!["values"]![column]!.GetValue<double>();
                Assert.InRange(value, 0, 100);
            }

        foreach (var task in MicroSpec.Tasks)
        {
            var accuracy = EvaluateStage.Read(session.Context, task);
            Assert.Equal(task, accuracy.Task);
            foreach (var value in new[] { accuracy.ZeroShotVal, accuracy.ZeroShotTest, accuracy.FineTunedVal, accuracy.FineTunedTest })
            {
                Assert.InRange(value, 0, 100);
                // 32 images per partition: every accuracy is a whole number of images.
                Assert.Equal(Math.Round(value * 32 / 100), value * 32 / 100, 6);
            }
        }
    }

    [Fact]
    public void Every_stage_has_a_succeeded_lock_with_exact_hashes()
    {
        using var session = pipeline.Repository.Open();
        var context = session.Context;
        foreach (var stage in session.Stages)
        {
            var stored = LockStore.Read(pipeline.Repository.Absolute(context.Layout.StageDir(stage.Id)));
            Assert.Null(stored.Problem);
            var record = stored.Record;
            Assert.NotNull(record);
            Assert.True(File.Exists(pipeline.Repository.Absolute(context.Layout.Lock(stage.Id))));
            Assert.Equal(stage.Id, record.Stage);
            Assert.Equal(LockStatus.Succeeded, record.Status);
            Assert.Equal(StageIds.Seed(context.Spec.Seed, stage.Id), record.Seed);
            Assert.Equal(context.Spec.Threads, record.Threads);
            Assert.Equal(ContentHash.OfJson(record.Parameters), record.ParamsHash);
            Assert.True(record.EndedUtc >= record.StartedUtc);

            Assert.Equal(stage.Inputs(context).Distinct().Order(), record.Inputs.Keys.Order());
            Assert.NotEmpty(record.Inputs);
            foreach (var (path, hash) in record.Inputs)
                Assert.True(ContentHash.OfFile(pipeline.Repository.Absolute(path)) == hash, $"{stage.Id}: input {path} hash differs from the file");

            Assert.Equal(stage.Outputs(context).Order(), record.Outputs.Keys.Order());
            foreach (var (path, output) in record.Outputs)
            {
                var file = new FileInfo(pipeline.Repository.Absolute(path));
                Assert.True(file.Exists, $"{stage.Id}: output {path} missing");
                Assert.True(ContentHash.OfFile(file.FullName) == output.Sha256, $"{stage.Id}: output {path} hash differs from the file");
                Assert.Equal(file.Length, output.Size);
            }
        }
    }

    [Fact]
    public void Second_pass_finds_everything_up_to_date_and_skips_every_stage()
    {
        var log = new StringWriter();
        using var session = pipeline.Repository.Open(log);
        var plan = session.Plan();
        Assert.Equal(session.Stages.Select(s => s.Id).Order(), plan.Keys.Order());
        foreach (var (id, freshness) in plan)
            Assert.True(freshness.IsUpToDate, $"{id}: {freshness}");

        var locksBefore = LockTimes(session);
        foreach (var node in session.Graph.TopologicalOrder())
            Assert.False(session.Run(node.Id, force: false), $"{node.Id} ran again");
        Assert.Equal(locksBefore, LockTimes(session));
        Assert.Contains($"[{StageIds.FineTune("mnist")}] up to date", log.ToString());
    }

    private Dictionary<string, DateTime> LockTimes(ExperimentSession session) =>
        session.Stages.ToDictionary(s => s.Id, s => File.GetLastWriteTimeUtc(pipeline.Repository.Absolute(session.Context.Layout.Lock(s.Id))));
}

using System.Text.Json.Nodes;
using Atlas.Data;
using Atlas.Method.Lora;
using Atlas.Models;
using Atlas.Pipeline.Specs;
using Atlas.Stages.Peft;
using Atlas.Stages.Tests.Support;
using TorchSharp;

namespace Atlas.Stages.Tests;

/// <summary>The PEFT stage of the micro experiment: nested subsets, one run per method, K and fraction, the paper's
/// parameter counts, and the verified and measured tables.</summary>
[Collection(MicroPipelineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Slow)] // runs the micro pipeline
public sealed class PeftStageTests(MicroPipeline pipeline)
{
    [Fact]
    public void Every_method_runs_on_every_nested_subset_with_its_parameter_count()
    {
        using var session = pipeline.Repository.Open();
        var context = session.Context;
        var result = PeftStage.Read(context, MicroSpec.PeftTarget);
        var variants = new[] { $"atlas_x{MicroSpec.PeftPartitions}", $"lora_r{MicroSpec.PeftLoraRank}", "full_finetune" };
        Assert.Equal(MicroSpec.PeftFractions.SelectMany(_ => variants), result.Runs.Select(r => r.Variant));

        using var train = context.TaskData(context.Task(MicroSpec.PeftTarget), SourceSplit.Train);
        int count = train.Count;
        foreach (var run in result.Runs)
        {
            int images = DataFraction.SubsetSize(count, run.Fraction);
            int batch = Math.Min(MicroSpec.PeftBatch, images);
            Assert.Equal(images, run.Images);
            Assert.Equal((images + batch - 1) / batch * MicroSpec.PeftEpochs, run.Steps);
            Assert.InRange(run.TestAccuracy, 0, 100);
            Assert.True(run.MedianStepMs > 0);
            if (OperatingSystem.IsLinux()) Assert.True(run.PeakMiB > 0 && run.PeakAboveStartMiB >= 0);
        }
        // The smaller subset is a prefix of the larger one's permutation: data is added, not redrawn.
        var small = DataFraction.Select(count, MicroSpec.PeftFractions[0], result.SubsetSeed);
        Assert.Subset(DataFraction.Select(count, MicroSpec.PeftFractions[1], result.SubsetSeed).ToHashSet(), small.ToHashSet());

        // Learnable parameters: T·P·K for aTLAS × K over LoRA task vectors, with P the adapted matrices only (T = 2 pool
        // tasks, P = 4 matrices × 3 blocks of the mini backbone, K = 3: 72; over every one of the 44 image-tower blocks it
        // would be 264), r·(in + out) per LoRA matrix, every weight for full fine-tuning.
        var pretrained = context.PretrainedVisual();
        long Parameters(string variant) => result.Runs.First(r => r.Variant == variant).TrainableParameters;
        Assert.Equal((PeftVectorPool.Lora, 12), (result.Vectors, result.PoolBlocks));
        Assert.Equal(2 * 12 * 3, Parameters(variants[0]));
        Assert.Equal(LoraAdapters.ParameterCount(pretrained, MicroSpec.PeftLoraRank), Parameters(variants[1]));
        Assert.Equal(pretrained.Values.Sum(t => t.numel()), Parameters(variants[2]));

        // Without validation selection LoRA and full fine-tuning test their last epoch.
        Assert.All(result.Runs.Where(r => r.Variant != variants[0]), r => Assert.Equal(MicroSpec.PeftEpochs, r.KeptEpoch));
        Assert.Equal(EvaluateStage.Read(context, MicroSpec.PeftTarget).ZeroShotTest, result.ZeroShotTest);
        Assert.False(File.Exists(pipeline.Repository.Absolute(context.Layout.RunLedger(PeftStage.IdOf(MicroSpec.PeftTarget)))));
    }

    [Fact]
    public void Lora_task_vectors_are_nonzero_exactly_on_the_adapted_matrices()
    {
        using var session = pipeline.Repository.Open();
        var context = session.Context;
        var visual = ClipParameterNames.Visual(context.Config);
        var targets = LoraAdapters.DefaultTargets(visual).ToHashSet();
        foreach (var task in MicroSpec.Tasks.Where(t => t != MicroSpec.PeftTarget))
        {
            using var vector = LoraTaskVectorStage.Read(context, task);
            Assert.Equal(visual.Order(), vector.Deltas.Keys.Order());
            foreach (var (name, delta) in vector.Deltas)
                Assert.True(targets.Contains(name) == (delta.abs().max().item<float>() > 0), $"{task}: {name}");
            // θ0 + τ is the trained pairs merged: τ = (α/r)·B·A, here the default α/r = 32/16 = 2.
            var pairs = context.LoadTensors(context.Layout.LoraFineTuned(task));
            string first = LoraAdapters.DefaultTargets(visual)[0];
            using Scalar scale = 2.0.ToScalar();
            var expected = pairs[first + LoraAdapters.BSuffix].matmul(pairs[first + LoraAdapters.ASuffix]).mul(scale);
            Assert.True(expected.allclose(vector.Deltas[first], rtol: 1e-6, atol: 1e-7));
        }
    }

    [Fact]
    public void The_accuracy_table_is_verified_the_cost_table_is_not()
    {
        using var session = pipeline.Repository.Open();
        var layout = session.Context.Layout;
        var table = JsonNode.Parse(File.ReadAllText(pipeline.Repository.Absolute(layout.Table(PeftTables.Table, "json"))))!;
        Assert.Equal(["params", "pct_25", "pct_100"], table["columns"]!.AsArray().Select(c => c!.GetValue<string>()));
        var cost = JsonNode.Parse(File.ReadAllText(pipeline.Repository.Absolute(layout.Table(PeftTables.CostTable, "json"))))!;
        Assert.Equal(["step_ms", "peak_added_mib", "peak_mib"], cost["columns"]!.AsArray().Select(c => c!.GetValue<string>()));

        var verified = new TableVerification(session.Context).Tables;
        Assert.Contains(PeftTables.Table, verified);
        Assert.DoesNotContain(PeftTables.CostTable, verified);
        var figure = File.ReadAllBytes(pipeline.Repository.Absolute(layout.Figure(PeftTables.Figure)));
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, figure.Take(4));
        Assert.Contains("](figures/peft_accuracy.png)", File.ReadAllText(pipeline.Repository.Absolute(layout.Report)));
    }
}

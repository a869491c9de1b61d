using Atlas.Pipeline.Specs;
using System.Text.Json.Nodes;
using Atlas.Models;
using Atlas.Stages.Composition;
using Atlas.Stages.Storage;
using Atlas.Stages.Tests.Support;
using Atlas.Stages.Addition;
using Atlas.Stages.Negation;

namespace Atlas.Stages.Tests;

/// <summary>
/// The task-addition and task-negation stages of the micro experiment: what they record can be checked against the
/// evaluation stage, because Λ = 0 and α = 0 are the zero-shot model exactly.
/// </summary>
[Collection(MicroPipelineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Slow)] // runs the micro pipeline
public sealed class CompositionStageTests(MicroPipeline pipeline)
{
    [Fact]
    public void Every_addition_method_scores_every_task_with_normalised_accuracy_over_the_fine_tuned_model()
    {
        using var session = pipeline.Repository.Open();
        var context = session.Context;
        foreach (var method in MicroSpec.AdditionMethods)
        {
            var result = AdditionStage.Read(context, method);
            Assert.Equal(method, result.Method);
            Assert.Equal(MicroSpec.Tasks, result.Tasks.Select(t => t.Task));
            foreach (var score in result.Tasks)
            {
                var reference = EvaluateStage.Read(context, score.Task);
                Assert.InRange(score.Test, 0, 100);
                Assert.Equal(100 * score.Test / reference.FineTunedTest, score.NormalizedTest, 9);
                Assert.Equal(100 * score.Val / reference.FineTunedVal, score.NormalizedVal, 9);
            }
        }
    }

    [Fact]
    public void The_reported_val_accuracies_reused_from_the_search_equal_scoring_the_chosen_weights_again()
    {
        using var session = pipeline.Repository.Open();
        var context = session.Context;
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var noGrad = TorchSharp.torch.no_grad();
        using var inputs = CompositionInputs.Load(context, MicroSpec.Tasks, MicroSpec.Tasks);
        var result = AdditionStage.Read(context, CompositionMethod.TaskArithmetic);
        double chosen = result.Grid!.MaxBy(p => p.Score!.Value)!.Value;
        // Scored here from scratch: θ0 + α·Σ τ at the chosen α on each task's val split.
        var weights = Atlas.Method.Composition.TaskArithmetic.Apply(inputs.Pretrained, inputs.Pool, chosen);
        foreach (var task in inputs.Tasks)
            Assert.Equal(task.AccuracyOf(weights, task.Val, context), result.Tasks.Single(t => t.Task == task.Name).Val);
    }

    [Fact]
    public void Zero_scale_and_zero_coefficients_reproduce_the_zero_shot_accuracies()
    {
        using var session = pipeline.Repository.Open();
        var context = session.Context;
        var zeroShot = MicroSpec.Tasks.ToDictionary(t => t, t => EvaluateStage.Read(context, t).ZeroShotVal);

        var grid = AdditionStage.Read(context, CompositionMethod.TaskArithmetic).Grid!;
        Assert.Equal([0, 0.5, 1], grid.Select(p => p.Value));
        Assert.Equal(zeroShot, grid[0].Metrics);

        foreach (var method in new[] { CompositionMethod.AtlasIsotropic, CompositionMethod.AtlasBlockwise })
        {
            var epochs = AdditionStage.Read(context, method).Epochs!;
            Assert.Equal([0, 1, 2], epochs.Select(e => e.Epoch));
            Assert.Equal(zeroShot, epochs[0].Metrics);
            Assert.True(epochs[0].Improved);
        }
    }

    [Fact]
    public void Learned_coefficients_are_stored_with_task_and_block_names_in_canonical_order()
    {
        using var session = pipeline.Repository.Open();
        var context = session.Context;
        var blocks = ClipParameterNames.Visual(context.Config);
        foreach (var method in new[] { CompositionMethod.AdaMerging, CompositionMethod.AtlasIsotropic, CompositionMethod.AtlasBlockwise })
        {
            var (tasks, names, values) = CoefficientArtifacts.ReadMatrix(context, AdditionStage.CoefficientsPath(context.Layout, method, "csv"));
            Assert.Equal(MicroSpec.Tasks, tasks);
            Assert.Equal(blocks, names);
            Assert.Equal([tasks.Count, blocks.Count], new[] { values.GetLength(0), values.GetLength(1) });

            var path = pipeline.Repository.Absolute(AdditionStage.CoefficientsPath(context.Layout, method, "safetensors"));
            var metadata = SafeTensorsFile.ReadMetadata(path);
            Assert.Equal(blocks, JsonNode.Parse(metadata["blocks"])!.AsArray().Select(b => b!.GetValue<string>()));
            Assert.Equal(MicroSpec.Tasks, JsonNode.Parse(metadata["tasks"])!.AsArray().Select(t => t!.GetValue<string>()));
        }
        // Isotropic: one value per task, repeated over every block; AdaMerging starts from 0.3, so it is never all zero.
        var (_, _, isotropic) = CoefficientArtifacts.ReadMatrix(context, AdditionStage.CoefficientsPath(context.Layout, CompositionMethod.AtlasIsotropic, "csv"));
        for (int t = 0; t < isotropic.GetLength(0); t++)
            for (int j = 1; j < isotropic.GetLength(1); j++) Assert.Equal(isotropic[t, 0], isotropic[t, j]);
        var (_, _, adamerging) = CoefficientArtifacts.ReadMatrix(context, AdditionStage.CoefficientsPath(context.Layout, CompositionMethod.AdaMerging, "csv"));
        Assert.Contains(adamerging.Cast<double>(), v => v != 0);
    }

    [Fact]
    public void Negation_keeps_the_control_above_its_threshold_and_starts_from_zero_shot()
    {
        using var session = pipeline.Repository.Open();
        var context = session.Context;
        var result = NegationStage.Read(context, MicroSpec.NegationTarget);
        var target = EvaluateStage.Read(context, MicroSpec.NegationTarget);
        var control = EvaluateStage.Read(context, MicroSpec.NegationControl);

        Assert.Equal(MicroSpec.NegationControl, result.Control);
        Assert.Equal(0.95 * control.ZeroShotVal, result.ControlThresholdVal, 9);
        Assert.Equal((target.ZeroShotTest, control.ZeroShotTest), (result.ZeroShot.TargetTest, result.ZeroShot.ControlTest));

        // α = 0 is the zero-shot model and always admissible; the chosen α keeps the control.
        Assert.Equal(0, result.AlphaGrid[0].Value);
        Assert.True(result.AlphaGrid[0].Admissible);
        Assert.Equal(target.ZeroShotVal, result.AlphaGrid[0].Metrics["target"]);
        Assert.True(result.TaskArithmetic.ControlVal >= result.ControlThresholdVal);
        Assert.Contains(result.AlphaGrid, p => p.Value == result.Alpha && p.Admissible);

        // aTLAS: epoch 0 (Λ = 0) is zero-shot; the kept epoch is admissible and the best admissible one.
        Assert.Equal(target.ZeroShotVal, result.Epochs[0].Metrics["target"]);
        Assert.Equal(control.ZeroShotVal, result.Epochs[0].Metrics["control"]);
        var kept = result.Epochs.Single(e => e.Epoch == result.AtlasBestEpoch);
        Assert.True(kept.Admissible);
        Assert.Equal(result.Epochs.Where(e => e.Admissible).Min(e => e.Metrics["target"]), kept.Metrics["target"]);
        Assert.True(result.Atlas.ControlVal >= result.ControlThresholdVal);
    }

    [Fact]
    public void Report_has_both_composition_tables_and_the_coefficient_heat_map()
    {
        using var session = pipeline.Repository.Open();
        var layout = session.Context.Layout;
        var addition = JsonNode.Parse(File.ReadAllText(pipeline.Repository.Absolute(layout.Table(AdditionTables.Table, "json"))))!;
        Assert.Equal([.. MicroSpec.Tasks, "mean_absolute", "mean_normalized"], addition["columns"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal(["zero_shot", "finetuned", "task_arithmetic", "ties_merging", "adamerging_layerwise", "atlas_isotropic", "atlas_blockwise"],
            addition["rows"]!.AsArray().Select(r => r!["key"]!.GetValue<string>()));
        var finetunedRow = addition["rows"]!.AsArray()[1]!["values"]!;
        Assert.Equal(100, finetunedRow["mean_normalized"]!.GetValue<double>());

        var negation = JsonNode.Parse(File.ReadAllText(pipeline.Repository.Absolute(layout.Table(NegationTables.Table, "json"))))!;
        Assert.Equal([MicroSpec.NegationTarget, "mean"], negation["rows"]!.AsArray().Select(r => r!["key"]!.GetValue<string>()));

        var figure = pipeline.Repository.Absolute(layout.Figure(AdditionTables.CoefficientFigure));
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, File.ReadAllBytes(figure).Take(4));
        var report = File.ReadAllText(pipeline.Repository.Absolute(layout.Report));
        Assert.Contains("](figures/addition_coefficients.png)", report);
        Assert.Contains("## Task addition", report);
        Assert.Contains("## Task negation", report);
    }
}

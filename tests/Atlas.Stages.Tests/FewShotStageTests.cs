using System.Text.Json.Nodes;
using Atlas.Data;
using Atlas.Stages.FewShot;
using Atlas.Stages.Tests.Support;

namespace Atlas.Stages.Tests;

/// <summary>The few-shot stage of the micro experiment: exact k-shot draws from the train partition, every method
/// scored, and the zero-shot row equal to the evaluation stage's.</summary>
[Collection(MicroPipelineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Slow)] // runs the micro pipeline
public sealed class FewShotStageTests(MicroPipeline pipeline)
{
    [Fact]
    public void Every_draw_has_exactly_k_distinct_train_images_per_class_and_every_method_is_scored()
    {
        using var session = pipeline.Repository.Open();
        var context = session.Context;
        var result = FewShotStage.Read(context, MicroSpec.FewShotTarget);
        Assert.Equal(MicroSpec.Tasks.Where(t => t != MicroSpec.FewShotTarget), result.Pool);
        Assert.Equal(MicroSpec.FewShotShots.Count * MicroSpec.FewShotDraws, result.Runs.Count);

        using var train = context.TaskData(context.Task(MicroSpec.FewShotTarget), SourceSplit.Train);
        var labels = train.Labels.data<long>().ToArray();
        int classes = context.Task(MicroSpec.FewShotTarget).Classes.Count;
        double zeroShot = EvaluateStage.Read(context, MicroSpec.FewShotTarget).ZeroShotTest;
        foreach (var run in result.Runs)
        {
            Assert.Equal(run.Positions.Count, run.Positions.Distinct().Count());
            Assert.All(run.Positions, p => Assert.InRange(p, 0, labels.Length - 1));
            var perClass = run.Positions.GroupBy(p => labels[p]).ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(classes, perClass.Count);
            Assert.All(perClass.Values, count => Assert.Equal(run.Shots, count));

            Assert.Equal(FewShotMethods.All.Order(), run.Accuracy.Keys.Order());
            Assert.All(run.Accuracy.Values, a => Assert.InRange(a, 0, 100));
            Assert.Equal(zeroShot, run.Accuracy[FewShotMethods.ZeroShot]);
            Assert.InRange(run.AtlasEpoch, 0, 2);
        }
        // Draws of the same k differ; the seeds are recorded.
        foreach (int k in MicroSpec.FewShotShots)
        {
            var draws = result.Runs.Where(r => r.Shots == k).ToList();
            Assert.NotEqual(draws[0].Positions, draws[1].Positions);
            Assert.NotEqual(draws[0].Seed, draws[1].Seed);
        }
        Assert.False(File.Exists(pipeline.Repository.Absolute(context.Layout.RunLedger(FewShotStage.IdOf(MicroSpec.FewShotTarget)))));
    }

    [Fact]
    public void The_table_averages_the_runs_and_the_target_has_its_own_figure()
    {
        using var session = pipeline.Repository.Open();
        var context = session.Context;
        var layout = context.Layout;
        var table = JsonNode.Parse(File.ReadAllText(pipeline.Repository.Absolute(layout.Table(FewShotTables.Table, "json"))))!;
        Assert.Equal(["k1_mean", "k1_std", "k2_mean", "k2_std"], table["columns"]!.AsArray().Select(c => c!.GetValue<string>()));
        var rows = table["rows"]!.AsArray();
        Assert.Equal(FewShotMethods.All, rows.Select(r => r!["key"]!.GetValue<string>()));

        var runs = FewShotStage.Read(context, MicroSpec.FewShotTarget).Runs;
        var atlas = rows.Single(r => r!["key"]!.GetValue<string>() == FewShotMethods.Atlas)!["values"]!;
        double expected = runs.Where(r => r.Shots == 2).Average(r => r.Accuracy[FewShotMethods.Atlas]);
        Assert.Equal(Math.Round(expected, 2, MidpointRounding.AwayFromZero), atlas["k2_mean"]!.GetValue<double>());
        var zeroShot = rows.Single(r => r!["key"]!.GetValue<string>() == FewShotMethods.ZeroShot)!["values"]!;
        Assert.Equal(0, zeroShot["k1_std"]!.GetValue<double>());

        var figure = File.ReadAllBytes(pipeline.Repository.Absolute(layout.Figure(FewShotTables.FigureOf(MicroSpec.FewShotTarget))));
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, figure.Take(4));
        Assert.Contains($"](figures/few_shot_accuracy_{MicroSpec.FewShotTarget}.png)", File.ReadAllText(pipeline.Repository.Absolute(layout.Report)));
    }
}

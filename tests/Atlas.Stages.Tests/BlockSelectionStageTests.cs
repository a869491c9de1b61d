using System.Text.Json.Nodes;
using Atlas.Stages.BlockSelection;
using Atlas.Stages.Tests.Support;

namespace Atlas.Stages.Tests;

/// <summary>The block-selection stage of the micro experiment: selections follow the recorded gradient ranking, every
/// budget is learned and scored, and the tables and figure come out.</summary>
[Collection(MicroPipelineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Slow)] // runs the micro pipeline
public sealed class BlockSelectionStageTests(MicroPipeline pipeline)
{
    [Fact]
    public void Selections_follow_the_recorded_informativeness_ranking()
    {
        using var session = pipeline.Repository.Open();
        var result = BlockSelectionStage.Read(session.Context, MicroSpec.BlockSelectionTarget);
        var pool = MicroSpec.Tasks.Where(t => t != MicroSpec.BlockSelectionTarget).ToList();
        Assert.Equal(pool, result.Pool);
        Assert.Equal(MicroSpec.BlockSelectionDraws, result.Draws.Count);
        foreach (var draw in result.Draws)
        {
            var informativeness = draw.Informativeness;
            Assert.Equal(pool.Count, informativeness.Count);
            int blocks = informativeness[0].Count;
            Assert.All(informativeness.SelectMany(row => row), value => Assert.True(value >= 0 && double.IsFinite(value)));
            Assert.Contains(informativeness.SelectMany(row => row), value => value > 0);
            Assert.Equal(1 + 2 * MicroSpec.BlockSelectionBudgets.Count, draw.Runs.Count);

            var full = draw.Runs.Single(r => r.Strategy == BlockSelectionStage.FullPool);
            Assert.Equal(pool.Count, full.Budget);
            Assert.Equal(pool, full.Sources.Select(row => row.Distinct().Single()));

            // n = 1: blockwise takes each block from its most informative task, whole takes the best task on average.
            var blockwise = draw.Runs.Single(r => r is { Strategy: "blockwise", Budget: 1 });
            var expectedBlockwise = Enumerable.Range(0, blocks)
                .Select(j => pool[Enumerable.Range(0, pool.Count).MaxBy(t => (informativeness[t][j], -t))]);
            Assert.Equal(expectedBlockwise, blockwise.Sources.Single());
            var whole = draw.Runs.Single(r => r is { Strategy: "whole", Budget: 1 });
            var best = pool[Enumerable.Range(0, pool.Count).MaxBy(t => (informativeness[t].Average(), -t))];
            Assert.All(whole.Sources.Single(), source => Assert.Equal(best, source));

            foreach (var run in draw.Runs)
            {
                Assert.InRange(run.TestAccuracy, 0, 100);
                Assert.InRange(run.KeptEpoch, 0, 2);
                Assert.True(run.MedianStepMs > 0);
                Assert.Equal(run.Budget * full.TaskVectorMiB / full.Budget, run.TaskVectorMiB, 9);
                if (OperatingSystem.IsLinux()) Assert.NotNull(run.PeakAboveStartMiB);
            }
        }
        Assert.NotEqual(result.Draws[0].Positions, result.Draws[1].Positions);
        Assert.False(File.Exists(pipeline.Repository.Absolute(session.Context.Layout.RunLedger(BlockSelectionStage.IdOf(MicroSpec.BlockSelectionTarget)))));
    }

    [Fact]
    public void The_tables_cover_every_budget_and_the_figure_is_in_the_report()
    {
        using var session = pipeline.Repository.Open();
        var layout = session.Context.Layout;
        var table = JsonNode.Parse(File.ReadAllText(pipeline.Repository.Absolute(layout.Table(BlockSelectionTables.Table, "json"))))!;
        Assert.Equal(["zero_shot", "blockwise_n1", "whole_n1", "full_pool_n2"],
            table["rows"]!.AsArray().Select(r => r!["key"]!.GetValue<string>()));
        var cost = JsonNode.Parse(File.ReadAllText(pipeline.Repository.Absolute(layout.Table(BlockSelectionTables.CostTable, "json"))))!;
        Assert.Equal("gradient_pass", cost["rows"]!.AsArray()[0]!["key"]!.GetValue<string>());

        var figure = File.ReadAllBytes(pipeline.Repository.Absolute(layout.Figure(BlockSelectionTables.Figure)));
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, figure.Take(4));
        var report = File.ReadAllText(pipeline.Repository.Absolute(layout.Report));
        Assert.Contains("](figures/block_selection_accuracy.png)", report);
        Assert.Contains("not verified", report);
        Assert.DoesNotContain(BlockSelectionTables.CostTable, new TableVerification(session.Context).Tables);
    }
}

using Atlas.Pipeline.Specs;
using Atlas.Stages.FewShot;
using Atlas.Testing;

namespace Atlas.Stages.Tests;

/// <summary>The few-shot figures: one per target, error bars over that target's draws only (never across targets).</summary>
public sealed class FewShotFigureTests
{
    [Fact]
    public void Each_target_gets_its_own_figure_with_bars_over_its_draws()
    {
        // Two targets far apart (zero-shot 4 and 38): pooled, zero-shot would get a std of 17 across targets; per target
        // it is 0, since zero-shot does not depend on the draw.
        var spec = new FewShotSpec
        {
            Targets = ["low", "high"],
            Shots = [1, 2],
            Seeds = 2,
            Learn = new CoefficientTraining { Lr = 0.1, Epochs = 10, Batch = 4 },
        };
        var low = Result("low", zeroShot: 4, atlas: [(1, 10), (1, 14), (2, 20), (2, 30)]);
        var high = Result("high", zeroShot: 38, atlas: [(1, 50), (1, 60), (2, 70), (2, 70)]);

        var lowSeries = FewShotTables.TargetSeries(low, spec.Shots);
        var zeroShot = lowSeries.Single(s => s.Name == FewShotMethods.ZeroShot);
        Assert.Equal([4.0, 4.0], zeroShot.Y);
        Assert.Equal([0.0, 0.0], zeroShot.Error!);
        var atlas = lowSeries.Single(s => s.Name == FewShotMethods.Atlas);
        Assert.Equal([1.0, 2.0], atlas.X);
        // Draws 10, 14: mean 12, population std 2; draws 20, 30: mean 25, std 5.
        Assert.Equal([12.0, 25.0], atlas.Y);
        Assert.Equal([2.0, 5.0], atlas.Error!);
        var highAtlas = FewShotTables.TargetSeries(high, spec.Shots).Single(s => s.Name == FewShotMethods.Atlas);
        Assert.Equal([55.0, 70.0], highAtlas.Y);
        Assert.Equal([5.0, 0.0], highAtlas.Error!);

        using var folder = new TempDirectory();
        FewShotTables.WriteFigures(name => folder.File($"{name}.png"), [low, high], spec);
        Assert.Equal(["few_shot_accuracy_low", "few_shot_accuracy_high"], FewShotTables.Figures(spec));
        foreach (var name in FewShotTables.Figures(spec))
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, File.ReadAllBytes(folder.File($"{name}.png")).Take(4));
        Assert.Equal(2, Directory.GetFiles(folder.Path).Length);
    }

    private static FewShotResult Result(string target, double zeroShot, IReadOnlyList<(int Shots, double Atlas)> atlas) =>
        new(target, ["other"], [.. atlas.Select((a, i) => new FewShotRun(a.Shots, i % 2, (ulong)i, [0], 1,
            FewShotMethods.All.ToDictionary(m => m, m => m == FewShotMethods.ZeroShot ? zeroShot : m == FewShotMethods.Atlas ? a.Atlas : 50.0)))]);
}

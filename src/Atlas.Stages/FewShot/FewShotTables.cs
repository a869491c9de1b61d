using Atlas.Pipeline.Specs;
using Atlas.Reports;
using Atlas.Reports.Figures;

namespace Atlas.Stages.FewShot;

/// <summary>The few-shot table (paper Figure 5a / Table 9 twin): test accuracy per method and shot count, mean and standard
/// deviation over every target and draw; and one figure per target, with error bars over that target's draws only.</summary>
public static class FewShotTables
{
    public const string Table = "few_shot";

    /// <summary>The figure of one target: <c>few_shot_accuracy_TARGET</c>.</summary>
    public static string FigureOf(string target) => $"few_shot_accuracy_{target}";

    /// <summary>Every figure of the section, one per target in spec order.</summary>
    public static IReadOnlyList<string> Figures(FewShotSpec spec) => [.. spec.Targets.Select(FigureOf)];

    /// <summary>Rows: methods; columns: <c>k{k}_mean</c> and <c>k{k}_std</c> for every shot count.</summary>
    public static ResultTable Build(ExperimentContext context, FewShotSpec spec)
    {
        var runs = spec.Targets.SelectMany(t => FewShotStage.Read(context, t).Runs).ToList();
        var rows = FewShotMethods.All.Select(method => new ResultRow(method,
        [
            .. spec.Shots.SelectMany(k =>
            {
                var values = runs.Where(r => r.Shots == k).Select(r => r.Accuracy[method]).ToList();
                return new[] { values.Average(), TableStatistics.StandardDeviation(values) };
            }),
        ])).ToList();
        return new ResultTable(
            $"Few-shot: test top-1 accuracy (%) by shots per class, mean and standard deviation over {spec.Targets.Count} targets × {spec.Seeds} draws (paper Figure 5a / Table 9 twin; `{FewShotMethods.LinearProbe}` is an extra baseline, the paper compares with Tip-Adapter and LP++)",
            "method", [.. spec.Shots.SelectMany(k => new[] { $"k{k}_mean", $"k{k}_std" })], rows);
    }

    /// <summary>One target's curves: per method, the mean test accuracy at each shot count over the target's draws, with
    /// the (population) standard deviation over those draws as error bars. Targets are never pooled: their accuracies
    /// differ by tens of points, so a spread across targets would say nothing about a method's stability.</summary>
    public static IReadOnlyList<LineSeries> TargetSeries(FewShotResult result, IReadOnlyList<int> shots)
    {
        ArgumentNullException.ThrowIfNull(result);
        var x = shots.Select(k => (double)k).ToList();
        return [.. FewShotMethods.All.Select(method =>
        {
            var perShot = shots.Select(k => result.Runs.Where(r => r.Shots == k).Select(r => r.Accuracy[method]).ToList()).ToList();
            if (perShot.FirstOrDefault(v => v.Count == 0) is not null)
                throw new InvalidOperationException($"few-shot target {result.Target} has no run for some shot count in {string.Join(", ", shots)}");
            return new LineSeries(method, x, [.. perShot.Select(v => v.Average())], [.. perShot.Select(TableStatistics.StandardDeviation)]);
        })];
    }

    /// <summary>Writes one figure per target (<see cref="FigureOf"/>): accuracy against shots per class (log scale), one
    /// line per method with ±1 std bars over the target's draws.</summary>
    /// <param name="pathOf">The file of a figure name.</param>
    public static void WriteFigures(Func<string, string> pathOf, IReadOnlyList<FewShotResult> results, FewShotSpec spec)
    {
        ArgumentNullException.ThrowIfNull(pathOf);
        foreach (var result in results)
            LineFigure.Write(pathOf(FigureOf(result.Target)), $"Few-shot recognition: {result.Target} (± std over {spec.Seeds} draws)",
                "shots per class", "test accuracy (%)", TargetSeries(result, spec.Shots), logX: true);
    }
}

using Atlas.Pipeline.Specs;
using Atlas.Reports;
using Atlas.Reports.Figures;

namespace Atlas.Stages.FewShot;

/// <summary>The few-shot table and figure (paper Figure 5a / Table 9 twin): test accuracy per method and shot count, mean and
/// standard deviation over every target and draw.</summary>
public static class FewShotTables
{
    public const string Table = "few_shot";
    public const string Figure = "few_shot_accuracy";

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
            $"Few-shot: test top-1 accuracy (%) by shots per class, mean and standard deviation over {spec.Targets.Count} targets × {spec.Seeds} draws (paper Figure 5a / Table 9 twin)",
            "method", [.. spec.Shots.SelectMany(k => new[] { $"k{k}_mean", $"k{k}_std" })], rows);
    }

    /// <summary>Accuracy against shots per class (log scale), one line per method with ±1 std bars.</summary>
    public static void WriteFigure(string path, ResultTable table, FewShotSpec spec)
    {
        var shots = spec.Shots.Select(k => (double)k).ToList();
        var series = table.Rows.Select(row => new LineSeries(row.Key, shots,
            [.. spec.Shots.Select((_, i) => row.Values[2 * i])], [.. spec.Shots.Select((_, i) => row.Values[2 * i + 1])])).ToList();
        LineFigure.Write(path, "Few-shot recognition (mini profile)", "shots per class", "test accuracy (%)", series, logX: true);
    }
}

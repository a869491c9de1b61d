using Atlas.Pipeline.Specs;
using Atlas.Reports;
using Atlas.Reports.Figures;

namespace Atlas.Stages.BlockSelection;

/// <summary>
/// The block-selection tables and figure (paper Table 14 / Figure 6 twin): test accuracy per strategy and budget n,
/// mean and standard deviation over targets and draws, with the task-vector memory each budget holds (verified); the
/// measured step time and peak memory in a separate table (this machine's measurements, not approved).
/// </summary>
public static class BlockSelectionTables
{
    public const string Table = "block_selection";
    public const string CostTable = "block_selection_cost";
    public const string Figure = "block_selection_accuracy";

    /// <summary>Rows: zero-shot (n = 0), every strategy and budget, the full pool; columns: budget, accuracy mean and
    /// std, task-vector MiB.</summary>
    public static ResultTable Build(ExperimentContext context, BlockSelectionSpec spec)
    {
        var results = spec.Targets.Select(t => BlockSelectionStage.Read(context, t)).ToList();
        var zeroShot = results.Select(r => r.ZeroShotTest).ToList();
        var rows = new List<ResultRow> { new("zero_shot", [0, zeroShot.Average(), TableStatistics.StandardDeviation(zeroShot), 0]) };
        foreach (var (strategy, budget) in Selections(spec, results[0].Pool.Count))
        {
            var runs = Runs(results, strategy, budget);
            var accuracy = runs.Select(r => r.TestAccuracy).ToList();
            rows.Add(new ResultRow(RowName(strategy, budget), [budget, accuracy.Average(), TableStatistics.StandardDeviation(accuracy), runs[0].TaskVectorMiB]));
        }
        return new ResultTable(
            $"Block selection: few-shot ({spec.Shots} shots) test top-1 accuracy (%) of aTLAS on n task vectors' worth of blocks, mean and std over " +
            $"{spec.Targets.Count} target(s) × {spec.Seeds} draws, with the task vectors' memory (paper Table 14 twin)",
            "selection", ["budget", "accuracy_mean", "accuracy_std", "task_vector_mib"], rows);
    }

    /// <summary>Rows: the informativeness pass, then every selection; columns: median step time (ms) and the peak
    /// resident memory each added (MiB), averaged over targets and draws.</summary>
    public static ResultTable BuildCost(ExperimentContext context, BlockSelectionSpec spec)
    {
        var results = spec.Targets.Select(t => BlockSelectionStage.Read(context, t)).ToList();
        var draws = results.SelectMany(r => r.Draws).ToList();
        var rows = new List<ResultRow>
        {
            new("gradient_pass", [draws.Average(d => d.PassMs), draws.Average(d => d.PassPeakAboveStartMiB ?? double.NaN)]),
        };
        foreach (var (strategy, budget) in Selections(spec, results[0].Pool.Count))
        {
            var runs = Runs(results, strategy, budget);
            rows.Add(new ResultRow(RowName(strategy, budget), [runs.Average(r => r.MedianStepMs), runs.Average(r => r.PeakAboveStartMiB ?? double.NaN)]));
        }
        return new ResultTable(
            $"Block selection cost on this machine ({context.Spec.Threads} thread(s), batch {spec.Learn.Batch}): step time and the peak resident " +
            "memory added by the selected vectors and their training; the gradient pass's time is the whole pass (measured, not approved)",
            "selection", ["step_ms", "peak_added_mib"], rows);
    }

    /// <summary>Accuracy against the budget n: one line per strategy from zero-shot (n = 0) to the full pool.</summary>
    public static void WriteFigure(string path, ResultTable table, BlockSelectionSpec spec)
    {
        var zeroShot = table.Rows[0];
        var full = table.Rows[^1];
        var series = spec.Strategies.Select(strategy =>
        {
            var points = new[] { zeroShot }.Concat(spec.Budgets.Select(n => table.Rows.Single(r => r.Key == RowName(SpecNames.Of(strategy), n)))).Append(full).ToList();
            return new LineSeries(SpecNames.Of(strategy), [.. points.Select(p => p.Values[0])], [.. points.Select(p => p.Values[1])], [.. points.Select(p => p.Values[2])]);
        }).ToList();
        LineFigure.Write(path, "aTLAS under a task-vector budget (mini profile)", "task vectors' worth of blocks (n)", "test accuracy (%)", series, logX: false);
    }

    private static IEnumerable<(string Strategy, int Budget)> Selections(BlockSelectionSpec spec, int poolSize) =>
        spec.Strategies.SelectMany(s => spec.Budgets.Select(n => (SpecNames.Of(s), n))).Append((BlockSelectionStage.FullPool, poolSize));

    private static string RowName(string strategy, int budget) => $"{strategy}_n{budget}";

    private static List<BlockSelectionRun> Runs(IEnumerable<BlockSelectionResult> results, string strategy, int budget) =>
        [.. results.SelectMany(r => r.Draws).SelectMany(d => d.Runs).Where(r => r.Strategy == strategy && r.Budget == budget)];
}

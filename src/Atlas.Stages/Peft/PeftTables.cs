using System.Globalization;
using Atlas.Pipeline.Specs;
using Atlas.Reports;
using Atlas.Reports.Figures;

namespace Atlas.Stages.Peft;

/// <summary>
/// The PEFT tables and figure (paper Table 17 / Figure 7 twin): test accuracy per method and data fraction, averaged
/// over targets, with the learnable-parameter counts (verified); step time and memory in a separate table, because
/// they are measurements of this machine that vary from run to run and are not approved.
/// </summary>
public static class PeftTables
{
    public const string Table = "peft";
    public const string CostTable = "peft_cost";
    public const string Figure = "peft_accuracy";

    /// <summary>A fraction as a percentage without trailing zeros (0.05 → "5").</summary>
    public static string Percent(double fraction) => (100 * fraction).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>What aTLAS × K composes, in words.</summary>
    public static string PoolName(PeftVectorPool pool) => pool switch
    {
        PeftVectorPool.Lora => "LoRA task vectors",
        PeftVectorPool.Full => "full task vectors",
        _ => throw new ArgumentOutOfRangeException(nameof(pool), pool, "unknown task-vector pool"),
    };

    /// <summary>Rows: methods; columns: <c>params</c>, then <c>pct_{p}</c> per fraction.</summary>
    public static ResultTable Build(ExperimentContext context, PeftSpec spec)
    {
        var runs = Runs(context, spec);
        var rows = PeftVariants.Of(spec).Select(variant => new ResultRow(variant.Name,
        [
            runs.First(r => r.Variant == variant.Name).TrainableParameters,
            .. spec.Fractions.Select(f => runs.Where(r => r.Variant == variant.Name && r.Fraction == f).Average(r => r.TestAccuracy)),
        ])).ToList();
        return new ResultTable(
            $"PEFT: test top-1 accuracy (%) by share of the training data, mean over {spec.Targets.Count} target(s), with learnable parameters; " +
            $"aTLAS x K composes {PoolName(spec.Atlas.Pool)} (paper Table 17 twin)",
            "method", ["params", .. spec.Fractions.Select(f => $"pct_{Percent(f)}")], rows);
    }

    /// <summary>Rows: methods; columns: median step time (ms), the peak resident memory training added to what was
    /// loaded, and the process's peak (MiB), at the largest fraction (full batches), averaged over targets.</summary>
    public static ResultTable BuildCost(ExperimentContext context, PeftSpec spec)
    {
        double largest = spec.Fractions[^1];
        var runs = Runs(context, spec).Where(r => r.Fraction == largest).ToList();
        var rows = PeftVariants.Of(spec).Select(variant =>
        {
            var own = runs.Where(r => r.Variant == variant.Name).ToList();
            return new ResultRow(variant.Name,
                [own.Average(r => r.MedianStepMs), own.Average(r => r.PeakAboveStartMiB ?? double.NaN), own.Average(r => r.PeakMiB ?? double.NaN)]);
        }).ToList();
        return new ResultTable(
            $"PEFT cost on this machine at {Percent(largest)}% of the data ({context.Spec.Threads} thread(s), batch {spec.Batch}): " +
            "median step time and peak resident memory (measured, not approved)",
            "method", ["step_ms", "peak_added_mib", "peak_mib"], rows);
    }

    /// <summary>Accuracy against the share of training data (log scale), one line per method, zero-shot as a reference.</summary>
    public static void WriteFigure(ExperimentContext context, string path, ResultTable table, PeftSpec spec)
    {
        var percents = spec.Fractions.Select(f => 100 * f).ToList();
        double zeroShot = spec.Targets.Average(t => PeftStage.Read(context, t).ZeroShotTest);
        var series = table.Rows.Select(row => new LineSeries(row.Key, percents, [.. row.Values.Skip(1)])).ToList();
        series.Add(new LineSeries("zero_shot", percents, [.. percents.Select(_ => zeroShot)]));
        LineFigure.Write(path, "PEFT: aTLAS x K vs LoRA vs full fine-tuning (mini profile)", "training data (%)", "test accuracy (%)", series, logX: true);
    }

    private static List<PeftRun> Runs(ExperimentContext context, PeftSpec spec) =>
        [.. spec.Targets.SelectMany(t => PeftStage.Read(context, t).Runs)];
}

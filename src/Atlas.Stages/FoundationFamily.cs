using System.Globalization;
using Atlas.Reports;
using Atlas.Pipeline.Specs;

namespace Atlas.Stages;

/// <summary>
/// What every experiment needs: the data splits, the pretrained backbone (trained by the pipeline in the mini
/// profile), and per task its zero-shot head, fine-tuned tower, task vector and evaluation; reported as the twin of
/// the paper's Table 5 (zero-shot and fine-tuned accuracy per task).
/// </summary>
public sealed class FoundationFamily : ExperimentFamily
{
    public const string FineTuneTable = "finetune_accuracy";

    public override IEnumerable<Stage> Stages(ExperimentSpec spec)
    {
        var tasks = spec.Tasks.Select(t => t.Name).ToList();
        return
        [
            new DataStage(), new PretrainStage(),
            .. tasks.Select(t => new HeadStage(t)),
            .. tasks.Select(t => new FineTuneStage(t)),
            .. tasks.Select(t => new TaskVectorStage(t)),
            .. tasks.Select(t => new EvaluateStage(t)),
        ];
    }

    public override IReadOnlyList<string> Tables(ExperimentSpec spec) => [FineTuneTable];

    public override IReadOnlyList<string> CostTables(ExperimentSpec spec) => [];

    public override IReadOnlyList<string> Figures(ExperimentSpec spec) => [];

    public override IReadOnlyList<ReportSection> Report(ExperimentContext context)
    {
        var table = FineTuneAccuracyTable(context);
        var mean = table.Rows[^1].Values;
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"Mean test accuracy: zero-shot {mean[1]:F2}%, fine-tuned {mean[3]:F2}% (gap {mean[3] - mean[1]:F2} points). " +
            $"The paper's ViT-B/32 on its 8 tasks: 48.14% vs 90.45%.");
        return [new ReportSection(FineTuneTable, table, summary)];
    }

    /// <summary>Rows: one per task, then the mean; columns: zero-shot and fine-tuned accuracy on val and test.</summary>
    public static ResultTable FineTuneAccuracyTable(ExperimentContext context)
    {
        var rows = context.Spec.Tasks
            .Select(t => EvaluateStage.Read(context, t.Name))
            .Select(a => new ResultRow(a.Task, [a.ZeroShotVal, a.ZeroShotTest, a.FineTunedVal, a.FineTunedTest]))
            .ToList();
        rows.Add(new ResultRow("mean", Enumerable.Range(0, 4).Select(c => rows.Average(r => r.Values[c])).ToList()));
        return new ResultTable("Zero-shot and fine-tuned top-1 accuracy (%) per task (paper Table 5 twin)", "task",
            ["zero_shot_val", "zero_shot_test", "finetuned_val", "finetuned_test"], rows);
    }
}

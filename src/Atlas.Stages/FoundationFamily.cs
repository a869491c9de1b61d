using System.Globalization;
using Atlas.Reports;
using Atlas.Pipeline.Specs;
using Atlas.Stages.Imports;

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
            .. spec.Data.Datasets.Select(d => new PaperDataStage(d)),
            new DataStage(spec.Data.Datasets), PretrainedWeights(spec),
            .. tasks.Select(t => new HeadStage(t)),
            .. spec.Tasks.Where(t => t.TaskVectorFile is null).Select(FineTunedWeights),
            .. spec.Tasks.Select(TaskVector),
            .. tasks.Select(t => new EvaluateStage(t)),
        ];
    }

    // A file the spec names replaces the stage that would compute the same weights (the import stage says which).
    private static Stage PretrainedWeights(ExperimentSpec spec) =>
        spec.PretrainedCheckpoint is { } file ? new ImportPretrainedStage(file) : new PretrainStage();

    private static Stage FineTunedWeights(TaskSpec task) =>
        task.FinetunedCheckpoint is { } file ? new ImportFineTuneStage(task.Name, file) : new FineTuneStage(task.Name);

    private static Stage TaskVector(TaskSpec task) =>
        task.TaskVectorFile is { } file ? new ImportTaskVectorStage(task.Name, file) : new TaskVectorStage(task.Name);

    public override IReadOnlyList<string> Tables(ExperimentSpec spec) => [FineTuneTable];

    public override IReadOnlyList<string> CostTables(ExperimentSpec spec) => [];

    /// <summary>The fine-tuning table reads the evaluations only.</summary>
    public override IReadOnlyList<string> TableStages(ExperimentSpec spec, string table) => [.. spec.Tasks.Select(t => StageIds.Evaluate(t.Name))];

    /// <summary>A task's row of the fine-tuning table is its evaluation; any other row (a mean) reads every task's.</summary>
    public override IReadOnlyList<string> CellStages(ExperimentSpec spec, string table, string row, string column) =>
        spec.Tasks.Any(t => t.Name == row) ? [StageIds.Evaluate(row)] : TableStages(spec, table);

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

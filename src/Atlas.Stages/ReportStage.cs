using System.Globalization;
using System.Text;
using Atlas.Pipeline.Reports;
using Atlas.Pipeline.Specs;
using Atlas.Pipeline.Store;

namespace Atlas.Stages;

/// <summary>
/// The experiment's tables (Markdown, CSV, JSON) and <c>report.md</c>, with the resolved spec beside them. The
/// foundation table is the mini twin of the paper's Table 5: zero-shot and fine-tuned accuracy per task.
/// </summary>
public sealed class ReportStage(IReadOnlyList<Stage> upstream) : Stage
{
    public const string FineTuneTable = "finetune_accuracy";

    public override string Id => StageIds.Report;
    public override string Phase => "Report";
    public override string Description => "tables and report.md";
    public override IReadOnlyList<string> DependsOn => upstream.Select(s => s.Id).ToList();

    public override object Parameters(ExperimentContext context) => new { Tasks = context.Spec.Tasks.Select(t => t.Name).ToList() };

    /// <summary>Every upstream output and lock: the report quotes provenance, so a rerun upstream refreshes it.</summary>
    public override IReadOnlyList<string> Inputs(ExperimentContext context) =>
        upstream.SelectMany(s => s.Outputs(context).Append(context.Layout.Lock(s.Id))).ToList();

    public override IReadOnlyList<string> Outputs(ExperimentContext context) =>
    [
        .. new[] { "md", "csv", "json" }.Select(e => context.Layout.Table(FineTuneTable, e)),
        context.Layout.Report,
        context.Layout.ResolvedSpec,
    ];

    public override void Execute(ExperimentContext context, StageRun run)
    {
        var table = FineTuneAccuracyTable(context);
        foreach (var (extension, text) in new[] { ("md", table.ToMarkdown()), ("csv", table.ToCsv()), ("json", table.ToJson()) })
            AtomicFile.WriteAllText(context.Absolute(context.Layout.Table(FineTuneTable, extension)), text);
        SpecWriter.WriteResolvedYaml(context.Spec, context.Absolute(context.Layout.ResolvedSpec));
        AtomicFile.WriteAllText(context.Absolute(context.Layout.Report), ReportMarkdown(context, table));
        context.Log.Write(table.ToMarkdown());
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

    private string ReportMarkdown(ExperimentContext context, ResultTable table)
    {
        var mean = table.Rows[^1].Values;
        var text = new StringBuilder();
        text.AppendLine($"# Atlas.Repro report: `{context.Spec.Name}`");
        text.AppendLine();
        text.AppendLine($"Spec `{context.SpecPath}` (resolved: `spec.resolved.yaml`), backbone `{context.Spec.Backbone}`, " +
                        $"seed {context.Spec.Seed}, {context.Spec.Threads} threads.");
        text.AppendLine();
        text.AppendLine($"## {table.Title}");
        text.AppendLine();
        text.Append(table.ToMarkdown());
        text.AppendLine();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Mean test accuracy: zero-shot {mean[1]:F2}%, fine-tuned {mean[3]:F2}% (gap {mean[3] - mean[1]:F2} points). " +
            $"The paper's ViT-B/32 on its 8 tasks: 48.14% vs 90.45%."));
        text.AppendLine();
        text.AppendLine("## Provenance");
        text.AppendLine();
        text.Append(ProvenanceTable.Render(context, upstream.Select(s => s.Id)));
        return text.ToString();
    }
}

using System.Text;
using Atlas.Pipeline.Specs;
using Atlas.Reports;
using Atlas.Store;

namespace Atlas.Stages;

/// <summary>
/// The experiment's tables (Markdown, CSV, JSON), figures and <c>report.md</c>, with the resolved spec beside them:
/// every family of <see cref="ExperimentFamilies.All"/> that the spec runs contributes its tables, figures and report
/// sections, in registry order, and the provenance of every upstream stage closes the report.
/// </summary>
public sealed class ReportStage(IReadOnlyList<Stage> upstream) : Stage
{
    private static readonly string[] TableFormats = ["md", "csv", "json"];

    public override string Id => StageIds.Report;
    public override bool RunsOnDevice => true;
    public override string Phase => "Report";
    public override string Description => "tables, figures and report.md";
    public override IReadOnlyList<string> DependsOn => upstream.Select(s => s.Id).ToList();

    public override object Parameters(ExperimentContext context)
    {
        var report = new
        {
            Tasks = context.Spec.Tasks.Select(t => t.Name).ToList(),
            Tables = TableNames(context.Spec),
            CostTables = CostTableNames(context.Spec),
            Figures = FigureNames(context.Spec),
        };
        // The paper's columns enter the report only with verify.paper; without it the parameters (and so the lock of a
        // spec such as the mini's) are exactly what they were before the paper reference existed.
        return context.Spec.Verify?.Paper is { } paper
            ? new { report.Tasks, report.Tables, report.CostTables, report.Figures, PaperReference = new { paper.Folder, paper.Average } }
            : report;
    }

    /// <summary>Every upstream output and lock (the report quotes provenance, so a rerun upstream refreshes it), and the
    /// paper's reference tables the report shows (with <c>verify.paper</c>).</summary>
    public override IReadOnlyList<string> Inputs(ExperimentContext context) =>
    [
        .. upstream.SelectMany(s => s.Outputs(context).Append(context.Layout.Lock(s.Id))),
        .. context.Spec.Verify?.Paper is { } paper
            ? TableNames(context.Spec).Select(t => PaperVerification.ReferencePath(paper, context.Spec.Backbone, t)).Where(p => File.Exists(context.Absolute(p)))
            : [],
    ];

    public override IReadOnlyList<string> Outputs(ExperimentContext context) =>
    [
        .. TableNames(context.Spec).Concat(CostTableNames(context.Spec)).SelectMany(t => TableFormats.Select(e => context.Layout.Table(t, e))),
        .. FigureNames(context.Spec).Select(context.Layout.Figure),
        context.Layout.Report,
        context.Layout.ResolvedSpec,
    ];

    /// <summary>The tables a spec produces and verifies, in report order.</summary>
    public static IReadOnlyList<string> TableNames(ExperimentSpec spec) => [.. ExperimentFamilies.All.SelectMany(f => f.Tables(spec))];

    /// <summary>The measured-cost tables a spec produces (written and reported, never verified).</summary>
    public static IReadOnlyList<string> CostTableNames(ExperimentSpec spec) => [.. ExperimentFamilies.All.SelectMany(f => f.CostTables(spec))];

    private static IReadOnlyList<string> FigureNames(ExperimentSpec spec) => [.. ExperimentFamilies.All.SelectMany(f => f.Figures(spec))];

    public override void Execute(ExperimentContext context, StageRun run)
    {
        var sections = ExperimentFamilies.All.SelectMany(f => f.Report(context)).ToList();
        var expected = TableNames(context.Spec).Concat(CostTableNames(context.Spec)).Order(StringComparer.Ordinal);
        if (!sections.Select(s => s.Name).Order(StringComparer.Ordinal).SequenceEqual(expected))
            throw new InvalidOperationException($"the families reported tables {string.Join(", ", sections.Select(s => s.Name))}, " +
                                                $"not the ones they declare: {string.Join(", ", expected)}");
        foreach (var section in sections)
            foreach (var (extension, text) in new[] { ("md", section.Table.ToMarkdown()), ("csv", section.Table.ToCsv()), ("json", section.Table.ToJson()) })
                AtomicFile.WriteAllText(context.Absolute(context.Layout.Table(section.Name, extension)), text);
        SpecWriter.WriteResolvedYaml(context.Spec, context.Absolute(context.Layout.ResolvedSpec));
        AtomicFile.WriteAllText(context.Absolute(context.Layout.Report), ReportMarkdown(context, sections));
        foreach (var section in sections) context.Log.Write(section.Table.ToMarkdown());
    }

    /// <summary>A section's table; with <c>verify.paper</c> and a reference for it, each column the paper reports is
    /// followed by the paper's value, and a line says where the values come from and which average they hold.</summary>
    public static string TableMarkdown(ExperimentContext context, ReportSection section)
    {
        if (context.Spec.Verify?.Paper is not { } reference || PaperVerification.TryLoad(context, reference, section.Name) is not { } paper)
            return section.Table.ToMarkdown();
        var text = new StringBuilder(PaperComparison.MarkdownWithPaper(section.Table, paper, reference.Average == PaperAverage.Printed));
        text.AppendLine();
        text.AppendLine($"The `(paper)` columns are the paper's reported numbers from `{paper.Source}` ({string.Join("; ", paper.Sources)}); " +
                        $"averages compared with the {(reference.Average == PaperAverage.Printed ? "paper's printed Average" : "mean of the paper's per-dataset row")} " +
                        $"({string.Join("; ", paper.Averages)}).");
        return text.ToString();
    }

    /// <summary>Which stages a table comes from, and how to trace one of its numbers back to the data.</summary>
    private static string SourcesLine(ExperimentSpec spec, string table)
    {
        var stages = ExperimentFamilies.Reporting(spec, table).TableStages(spec, table);
        return $"From stages {Pipeline.Graph.StageGraph.Abbreviate(stages, 6)}; `atlas trace {table} ROW COLUMN --spec …` prints one number's lineage.";
    }

    private string ReportMarkdown(ExperimentContext context, IReadOnlyList<ReportSection> sections)
    {
        var text = new StringBuilder();
        text.AppendLine($"# Atlas.Repro report: `{context.Spec.Name}`");
        text.AppendLine();
        text.AppendLine($"Spec `{context.SpecPath}` (resolved: `spec.resolved.yaml`), backbone `{context.Spec.Backbone}`, " +
                        $"seed {context.Spec.Seed}, {context.Spec.Threads} threads.");
        foreach (var section in sections)
        {
            text.AppendLine();
            text.AppendLine($"## {section.Table.Title}");
            text.AppendLine();
            text.Append(TableMarkdown(context, section));
            text.AppendLine();
            text.AppendLine(section.Summary);
            text.AppendLine(SourcesLine(context.Spec, section.Name));
        }
        text.AppendLine();
        text.AppendLine("## Provenance");
        text.AppendLine();
        text.Append(ProvenanceTable.Render(context, upstream.Select(s => s.Id)));
        return text.ToString();
    }
}

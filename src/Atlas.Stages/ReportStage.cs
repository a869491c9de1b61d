using System.Globalization;
using System.Text;
using Atlas.Pipeline.Specs;
using Atlas.Reports;
using Atlas.Reports.Figures;
using Atlas.Store;
using Atlas.Stages.Adaptation;
using Atlas.Stages.Composition;
using Atlas.Stages.Peft;

namespace Atlas.Stages;

/// <summary>
/// The experiment's tables (Markdown, CSV, JSON), figures and <c>report.md</c>, with the resolved spec beside them:
/// the mini twin of the paper's Table 5 (zero-shot and fine-tuned accuracy per task), and where the spec asks for them
/// the task-addition, negation, few-shot, test-time, block-selection and PEFT tables with their figures. Tables of
/// measured cost (step time, memory) are written beside them but never verified: they describe the machine, not the
/// method.
/// </summary>
public sealed class ReportStage(IReadOnlyList<Stage> upstream) : Stage
{
    public const string FineTuneTable = "finetune_accuracy";
    public const string CoefficientFigure = "addition_coefficients";

    public override string Id => StageIds.Report;
    public override string Phase => "Report";
    public override string Description => "tables, figures and report.md";
    public override IReadOnlyList<string> DependsOn => upstream.Select(s => s.Id).ToList();

    public override object Parameters(ExperimentContext context) => new
    {
        Tasks = context.Spec.Tasks.Select(t => t.Name).ToList(),
        Tables = TableNames(context.Spec),
        CostTables = CostTableNames(context.Spec),
        Figures = Figures(context.Spec),
    };

    /// <summary>Every upstream output and lock: the report quotes provenance, so a rerun upstream refreshes it.</summary>
    public override IReadOnlyList<string> Inputs(ExperimentContext context) =>
        upstream.SelectMany(s => s.Outputs(context).Append(context.Layout.Lock(s.Id))).ToList();

    public override IReadOnlyList<string> Outputs(ExperimentContext context) =>
    [
        .. TableNames(context.Spec).Concat(CostTableNames(context.Spec)).SelectMany(t => new[] { "md", "csv", "json" }.Select(e => context.Layout.Table(t, e))),
        .. Figures(context.Spec).Select(context.Layout.Figure),
        context.Layout.Report,
        context.Layout.ResolvedSpec,
    ];

    /// <summary>The tables a spec produces (and verifies), in report order.</summary>
    public static IReadOnlyList<string> TableNames(ExperimentSpec spec) =>
    [
        FineTuneTable,
        .. spec.Addition is null ? Array.Empty<string>() : [CompositionTables.Addition],
        .. spec.Negation is null ? Array.Empty<string>() : [CompositionTables.Negation],
        .. spec.FewShot is null ? Array.Empty<string>() : [FewShotTables.Table],
        .. spec.TestTime is null ? Array.Empty<string>() : [TestTimeTables.Table],
        .. spec.BlockSelection is null ? Array.Empty<string>() : [BlockSelectionTables.Table],
        .. spec.Peft is null ? Array.Empty<string>() : [PeftTables.Table],
    ];

    /// <summary>The measured-cost tables a spec produces (written and reported, never verified).</summary>
    public static IReadOnlyList<string> CostTableNames(ExperimentSpec spec) =>
    [
        .. spec.BlockSelection is null ? Array.Empty<string>() : [BlockSelectionTables.CostTable],
        .. spec.Peft is null ? Array.Empty<string>() : [PeftTables.CostTable],
    ];

    private static IReadOnlyList<string> Figures(ExperimentSpec spec) =>
    [
        .. spec.Addition?.Methods.Contains(CompositionMethods.AtlasBlockwise) == true ? [CoefficientFigure] : Array.Empty<string>(),
        .. spec.FewShot is null ? Array.Empty<string>() : [FewShotTables.Figure],
        .. spec.BlockSelection is null ? Array.Empty<string>() : [BlockSelectionTables.Figure],
        .. spec.Peft is null ? Array.Empty<string>() : [PeftTables.Figure],
    ];

    public override void Execute(ExperimentContext context, StageRun run)
    {
        var tables = new List<(string Name, ResultTable Table)> { (FineTuneTable, FineTuneAccuracyTable(context)) };
        if (context.Spec.Addition is { } addition) tables.Add((CompositionTables.Addition, CompositionTables.AdditionTable(context, addition)));
        if (context.Spec.Negation is { } negation) tables.Add((CompositionTables.Negation, CompositionTables.NegationTable(context, negation)));
        if (context.Spec.FewShot is { } fewShot)
        {
            var table = FewShotTables.Build(context, fewShot);
            tables.Add((FewShotTables.Table, table));
            FewShotTables.WriteFigure(context.Absolute(context.Layout.Figure(FewShotTables.Figure)), table, fewShot);
        }
        if (context.Spec.TestTime is { } testTime) tables.Add((TestTimeTables.Table, TestTimeTables.Build(context, testTime)));
        if (context.Spec.BlockSelection is { } blockSelection)
        {
            var table = BlockSelectionTables.Build(context, blockSelection);
            tables.Add((BlockSelectionTables.Table, table));
            tables.Add((BlockSelectionTables.CostTable, BlockSelectionTables.BuildCost(context, blockSelection)));
            BlockSelectionTables.WriteFigure(context.Absolute(context.Layout.Figure(BlockSelectionTables.Figure)), table, blockSelection);
        }
        if (context.Spec.Peft is { } peft)
        {
            var table = PeftTables.Build(context, peft);
            tables.Add((PeftTables.Table, table));
            tables.Add((PeftTables.CostTable, PeftTables.BuildCost(context, peft)));
            PeftTables.WriteFigure(context, context.Absolute(context.Layout.Figure(PeftTables.Figure)), table, peft);
        }
        foreach (var (name, table) in tables)
            foreach (var (extension, text) in new[] { ("md", table.ToMarkdown()), ("csv", table.ToCsv()), ("json", table.ToJson()) })
                AtomicFile.WriteAllText(context.Absolute(context.Layout.Table(name, extension)), text);
        if (Figures(context.Spec).Contains(CoefficientFigure))
        {
            var (tasks, blocks, values) = CoefficientArtifacts.ReadMatrix(context,
                context.Layout.AdditionCoefficients(CompositionMethods.AtlasBlockwise, "csv"));
            HeatmapFigure.Write(context.Absolute(context.Layout.Figure(CoefficientFigure)),
                "aTLAS task addition: learned coefficients Λ (task vectors × parameter blocks)", tasks, blocks, values, "coefficient");
        }
        SpecWriter.WriteResolvedYaml(context.Spec, context.Absolute(context.Layout.ResolvedSpec));
        AtomicFile.WriteAllText(context.Absolute(context.Layout.Report), ReportMarkdown(context, tables));
        foreach (var (_, table) in tables) context.Log.Write(table.ToMarkdown());
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

    private string ReportMarkdown(ExperimentContext context, IReadOnlyList<(string Name, ResultTable Table)> tables)
    {
        var text = new StringBuilder();
        text.AppendLine($"# Atlas.Repro report: `{context.Spec.Name}`");
        text.AppendLine();
        text.AppendLine($"Spec `{context.SpecPath}` (resolved: `spec.resolved.yaml`), backbone `{context.Spec.Backbone}`, " +
                        $"seed {context.Spec.Seed}, {context.Spec.Threads} threads.");
        foreach (var (name, table) in tables)
        {
            text.AppendLine();
            text.AppendLine($"## {table.Title}");
            text.AppendLine();
            text.Append(table.ToMarkdown());
            text.AppendLine();
            text.AppendLine(name switch
            {
                FineTuneTable => FineTuneSummary(table),
                CompositionTables.Addition => AdditionSummary(context, table),
                CompositionTables.Negation => NegationSummary(context),
                FewShotTables.Table => FewShotSummary(context),
                TestTimeTables.Table => TestTimeSummary(context),
                BlockSelectionTables.Table => BlockSelectionSummary(context),
                PeftTables.Table => PeftSummary(context),
                _ => CostSummary,
            });
        }
        text.AppendLine();
        text.AppendLine("## Provenance");
        text.AppendLine();
        text.Append(ProvenanceTable.Render(context, upstream.Select(s => s.Id)));
        return text.ToString();
    }

    private static string FineTuneSummary(ResultTable table)
    {
        var mean = table.Rows[^1].Values;
        return string.Create(CultureInfo.InvariantCulture,
            $"Mean test accuracy: zero-shot {mean[1]:F2}%, fine-tuned {mean[3]:F2}% (gap {mean[3] - mean[1]:F2} points). " +
            $"The paper's ViT-B/32 on its 8 tasks: 48.14% vs 90.45%.");
    }

    private static string AdditionSummary(ExperimentContext context, ResultTable table)
    {
        var text = new StringBuilder();
        text.AppendLine("Normalised accuracy divides each task's accuracy by its fine-tuned accuracy. The paper's ViT-B/32 " +
                        "(absolute / normalised): task arithmetic 70.12 / 77.24, aTLAS 84.98 / 93.79.");
        text.AppendLine();
        text.AppendLine("How each method chose its model:");
        text.AppendLine();
        foreach (var method in context.Spec.Addition!.Methods)
            text.AppendLine($"- `{method}`: {AdditionStage.Read(context, method).Selection}");
        if (Figures(context.Spec).Contains(CoefficientFigure))
        {
            text.AppendLine();
            text.AppendLine($"![Learned aTLAS coefficients](figures/{CoefficientFigure}.png)");
            text.AppendLine();
            text.AppendLine($"Values: `{context.Layout.AdditionCoefficients(CompositionMethods.AtlasBlockwise, "csv")}` (one row per task vector and block, blocks in canonical order).");
        }
        return text.ToString();
    }

    private static string FewShotSummary(ExperimentContext context)
    {
        var spec = context.Spec.FewShot!;
        return $"Targets: {string.Join(", ", spec.Targets.Select(t => $"`{t}`"))}; aTLAS uses the other tasks' vectors and keeps " +
               (spec.Selection == "validation" ? "the epoch with the best full-validation accuracy (the paper's protocol)." : "its last epoch (no label beyond the shots).") +
               $" k-shot indices and per-run accuracies: `{context.Layout.FewShotResult(spec.Targets[0])}` and its siblings.\n\n" +
               $"![Few-shot accuracy](figures/{FewShotTables.Figure}.png)\n";
    }

    private const string CostSummary =
        "Measured on the machine that ran the stage (see the provenance below); these figures vary from run to run and are not verified.\n";

    private static string BlockSelectionSummary(ExperimentContext context)
    {
        var spec = context.Spec.BlockSelection!;
        return $"Informativeness is |Σ ∂L/∂Λ| at Λ = 0 over one pass of the {spec.Shots}-shot batches; `blockwise` mixes the n best blocks per " +
               "block into n new vectors, `whole` keeps the n best whole vectors. The paper's ViT-B/32 at 4 shots (b = 1, 2, 5, 21): " +
               "blockwise 67.3, 68.2, 68.9, 70.0; whole 64.4, 65.8, 67.2, 70.0; zero-shot 60.39. " +
               $"Per-draw rankings and costs: `{context.Layout.BlockSelectionResult(spec.Targets[0])}` and its siblings.\n\n" +
               $"![Block selection accuracy](figures/{BlockSelectionTables.Figure}.png)\n";
    }

    private static string PeftSummary(ExperimentContext context)
    {
        var spec = context.Spec.Peft!;
        static string Kept(PeftTraining training) => training.Selection == "validation" ? "its best validation epoch" : "its last step";
        bool paperProtocol = spec.Atlas.Selection == "validation" && spec.Lora.Selection == "last" && spec.Full.Selection == "last";
        return $"Each method learns the same cross-entropy from the same nested subsets for {spec.Epochs} epochs; aTLAS × K (K = {string.Join(", ", spec.Atlas.Partitions)}) keeps " +
               $"{Kept(spec.Atlas)}, LoRA {Kept(spec.Lora)}, full fine-tuning {Kept(spec.Full)}" +
               (paperProtocol ? " (the paper's protocol). " : ". ") +
               "The paper (ViT-B/32, 22 datasets, 1% / 5% / 100% of the data): aTLAS ×1200 71.3 / 75.0 / 83.9, LoRA r16 68.8 / 74.1 / 83.6. " +
               $"Per-run results: `{context.Layout.PeftResult(spec.Targets[0])}` and its siblings.\n\n" +
               $"![PEFT accuracy](figures/{PeftTables.Figure}.png)\n";
    }

    private static string TestTimeSummary(ExperimentContext context)
    {
        var text = new StringBuilder();
        text.AppendLine("Λ over the other tasks' vectors is learned from the test images without their labels and the last Λ is " +
                        "scored; UFM is the intended FixMatch-style objective, not the released degenerate one.");
        text.AppendLine();
        foreach (var target in context.Spec.TestTime!.Targets)
        {
            var result = TestTimeStage.Read(context, target);
            text.AppendLine($"- `{target}`: {result.Steps} steps per objective; SAR reset {result.SarResets} times and skipped " +
                            $"{result.SarSkippedSteps} steps with no reliable sample; UFM trusted {result.UfmTrustedImages} images " +
                            $"({result.UfmTrustedPerClass} per class)");
        }
        return text.ToString();
    }

    private static string NegationSummary(ExperimentContext context)
    {
        var text = new StringBuilder();
        var spec = context.Spec.Negation!;
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Every model keeps at least {100 * spec.ControlThreshold:0.#}% of its control task's zero-shot validation accuracy. " +
            $"The paper's ViT-B/32 (target / control, ImageNet as control): zero-shot 48.14 / 63.35, task arithmetic 23.22 / 60.71, " +
            $"aTLAS 18.76 / 61.21."));
        text.AppendLine();
        foreach (var target in spec.Targets)
        {
            var result = NegationStage.Read(context, target.Task);
            string stop = result.Epochs[^1].Admissible ? "" : " (stopped when the control fell below the threshold)";
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"- `{result.Target}` (control `{result.Control}`, val threshold {result.ControlThresholdVal:F2}%): task arithmetic α = {result.Alpha:0.##}; " +
                $"aTLAS kept epoch {result.AtlasBestEpoch} of {result.Epochs.Count - 1}{stop}"));
        }
        return text.ToString();
    }
}

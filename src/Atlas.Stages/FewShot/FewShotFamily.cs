using Atlas.Pipeline.Specs;

namespace Atlas.Stages.FewShot;

/// <summary>Few-shot recognition (paper Sec. 5.1, Table 11, Fig. 5; docs/method.md §M4.3): per target, aTLAS and the adapters from k images per class.</summary>
public sealed class FewShotFamily() : ExperimentFamily<FewShotSpec>(spec => spec.FewShot)
{
    protected override IEnumerable<Stage> Stages(ExperimentSpec spec, FewShotSpec section) =>
        section.Targets.Select(t => new FewShotStage(t, PoolFor(spec, t)));

    protected override IReadOnlyList<string> Tables(FewShotSpec section) => [FewShotTables.Table];

    protected override IReadOnlyList<string> Figures(FewShotSpec section) => [FewShotTables.Figure];

    protected override IReadOnlyList<ReportSection> Report(ExperimentContext context, FewShotSpec section)
    {
        var table = FewShotTables.Build(context, section);
        FewShotTables.WriteFigure(context.Absolute(context.Layout.Figure(FewShotTables.Figure)), table, section);
        var summary = $"Targets: {string.Join(", ", section.Targets.Select(t => $"`{t}`"))}; aTLAS uses the other tasks' vectors and keeps " +
                      (section.Selection == ModelSelection.Validation ? "the epoch with the best full-validation accuracy (the paper's protocol)." : "its last epoch (no label beyond the shots).") +
                      $" k-shot indices and per-run accuracies: `{FewShotStage.ResultPath(context.Layout, section.Targets[0])}` and its siblings.\n\n" +
                      $"![Few-shot accuracy](figures/{FewShotTables.Figure}.png)\n";
        return [new ReportSection(FewShotTables.Table, table, summary)];
    }
}

using System.Globalization;
using Atlas.Pipeline.Specs;

namespace Atlas.Stages.FewShot;

/// <summary>Few-shot recognition (paper Sec. 5.1, Table 11, Fig. 5; docs/method.md §M4.3): per target, aTLAS and the adapters from k images per class.</summary>
public sealed class FewShotFamily() : ExperimentFamily<FewShotSpec>(spec => spec.FewShot)
{
    protected override IEnumerable<Stage> Stages(ExperimentSpec spec, FewShotSpec section) =>
        section.Targets.Select(t => new FewShotStage(t, PoolFor(spec, t)));

    protected override IReadOnlyList<string> Tables(FewShotSpec section) => [FewShotTables.Table];

    protected override IReadOnlyList<string> Figures(FewShotSpec section) => FewShotTables.Figures(section);

    protected override IReadOnlyList<ReportSection> Report(ExperimentContext context, FewShotSpec section)
    {
        var table = FewShotTables.Build(context, section);
        FewShotTables.WriteFigures(name => context.Absolute(context.Layout.Figure(name)),
            [.. section.Targets.Select(t => FewShotStage.Read(context, t))], section);
        var summary = $"Targets: {string.Join(", ", section.Targets.Select(t => $"`{t}`"))}; aTLAS uses the other tasks' vectors and keeps " +
                      (section.Selection == ModelSelection.Validation ? "the epoch with the best full-validation accuracy (the paper's protocol)." : "its last epoch (no label beyond the shots).") +
                      $" `{FewShotMethods.LinearProbe}` is logistic regression on frozen zero-shot features " +
                      (section.Adapters.LinearProbeInit == LinearProbeInit.Zeros ? "from zero weights" : "from the zero-shot head") +
                      ", an extra baseline: the paper compares aTLAS with Tip-Adapter and LP++ only." +
                      " Gradient-free aTLAS scores, at each of its " + $"{section.GradientFree.Budget} evaluations, one pass over the oversampled shots " +
                      (section.GradientFree.Augmentation == GradientFreeAugmentation.Release
                          ? string.Create(CultureInfo.InvariantCulture, $"with the release's gradient-free augmentation (crop {section.GradientFree.CropScale[0]:0.##}–{section.GradientFree.CropScale[1]:0.##}, no flips; the gradient variant uses crop {section.Learn.CropScale[0]:0.##}–{section.Learn.CropScale[1]:0.##} with flips).")
                          : "exactly as the gradient variant's batches (same crop, flips and seed).") +
                      $" The table pools targets and draws; the figures show each target alone, with error bars over its draws." +
                      $" k-shot indices and per-run accuracies: `{FewShotStage.ResultPath(context.Layout, section.Targets[0])}` and its siblings.\n\n" +
                      string.Concat(section.Targets.Select(t => $"![Few-shot accuracy, {t}](figures/{FewShotTables.FigureOf(t)}.png)\n"));
        return [new ReportSection(FewShotTables.Table, table, summary)];
    }
}

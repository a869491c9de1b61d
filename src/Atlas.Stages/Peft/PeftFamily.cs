using Atlas.Pipeline.Specs;

namespace Atlas.Stages.Peft;

/// <summary>Parameter-efficient fine-tuning (paper App. F, Table 17): aTLAS × K against LoRA and full fine-tuning over
/// nested data fractions.</summary>
public sealed class PeftFamily() : ExperimentFamily<PeftSpec>(spec => spec.Peft)
{
    protected override IEnumerable<Stage> Stages(ExperimentSpec spec, PeftSpec section) =>
        section.Targets.Select(t => new PeftStage(t, PoolFor(spec, t)));

    protected override IReadOnlyList<string> Tables(PeftSpec section) => [PeftTables.Table];

    protected override IReadOnlyList<string> CostTables(PeftSpec section) => [PeftTables.CostTable];

    protected override IReadOnlyList<string> Figures(PeftSpec section) => [PeftTables.Figure];

    protected override IReadOnlyList<ReportSection> Report(ExperimentContext context, PeftSpec section)
    {
        var table = PeftTables.Build(context, section);
        PeftTables.WriteFigure(context, context.Absolute(context.Layout.Figure(PeftTables.Figure)), table, section);
        static string Kept(PeftTraining training) => training.Selection == ModelSelection.Validation ? "its best validation epoch" : "its last step";
        bool paperProtocol = section.Atlas.Selection == ModelSelection.Validation && section.Lora.Selection == ModelSelection.Last
            && section.Full.Selection == ModelSelection.Last;
        var summary = $"Each method learns the same cross-entropy from the same nested subsets for {section.Epochs} epochs; aTLAS × K (K = {string.Join(", ", section.Atlas.Partitions)}) keeps " +
                      $"{Kept(section.Atlas)}, LoRA {Kept(section.Lora)}, full fine-tuning {Kept(section.Full)}" +
                      (paperProtocol ? " (the paper's protocol). " : ". ") +
                      "The paper (ViT-B/32, 22 datasets, 1% / 5% / 100% of the data): aTLAS ×1200 71.3 / 75.0 / 83.9, LoRA r16 68.8 / 74.1 / 83.6. " +
                      $"Per-run results: `{PeftStage.ResultPath(context.Layout, section.Targets[0])}` and its siblings.\n\n" +
                      $"![PEFT accuracy](figures/{PeftTables.Figure}.png)\n";
        return
        [
            new ReportSection(PeftTables.Table, table, summary),
            new ReportSection(PeftTables.CostTable, PeftTables.BuildCost(context, section), ReportSection.CostSummary),
        ];
    }
}

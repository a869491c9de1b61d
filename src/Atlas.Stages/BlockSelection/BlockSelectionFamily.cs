using Atlas.Pipeline.Specs;

namespace Atlas.Stages.BlockSelection;

/// <summary>aTLAS under a memory budget (paper Table 14; docs/method.md §M3.4): gradient-ranked selection of n task vectors' blocks.</summary>
public sealed class BlockSelectionFamily() : ExperimentFamily<BlockSelectionSpec>(spec => spec.BlockSelection)
{
    protected override IEnumerable<Stage> Stages(ExperimentSpec spec, BlockSelectionSpec section) =>
        section.Targets.Select(t => new BlockSelectionStage(t, PoolFor(spec, t)));

    protected override IReadOnlyList<string> Tables(BlockSelectionSpec section) => [BlockSelectionTables.Table];

    protected override IReadOnlyList<string> CostTables(BlockSelectionSpec section) => [BlockSelectionTables.CostTable];

    protected override IReadOnlyList<string> Figures(BlockSelectionSpec section) => [BlockSelectionTables.Figure];

    protected override IReadOnlyList<ReportSection> Report(ExperimentContext context, BlockSelectionSpec section)
    {
        var table = BlockSelectionTables.Build(context, section);
        BlockSelectionTables.WriteFigure(context.Absolute(context.Layout.Figure(BlockSelectionTables.Figure)), table, section);
        var summary = $"Informativeness is |Σ ∂L/∂Λ| at Λ = 0 over one pass of the {section.Shots}-shot batches; `blockwise` mixes the n best blocks per " +
                      "block into n new vectors, `whole` keeps the n best whole vectors. The paper's ViT-B/32 at 4 shots (b = 1, 2, 5, 21): " +
                      "blockwise 67.3, 68.2, 68.9, 70.0; whole 64.4, 65.8, 67.2, 70.0; zero-shot 60.39. " +
                      $"Per-draw rankings and costs: `{BlockSelectionStage.ResultPath(context.Layout, section.Targets[0])}` and its siblings.\n\n" +
                      $"![Block selection accuracy](figures/{BlockSelectionTables.Figure}.png)\n";
        return
        [
            new ReportSection(BlockSelectionTables.Table, table, summary),
            new ReportSection(BlockSelectionTables.CostTable, BlockSelectionTables.BuildCost(context, section), ReportSection.CostSummary),
        ];
    }
}

using Atlas.Pipeline.Specs;

namespace Atlas.Stages.Peft;

/// <summary>Parameter-efficient fine-tuning (paper App. F, Table 17): aTLAS × K against LoRA and full fine-tuning over
/// nested data fractions.</summary>
public sealed class PeftFamily() : ExperimentFamily<PeftSpec>(spec => spec.Peft)
{
    /// <summary>With LoRA task vectors in the pool (<c>peft.atlas.pool: lora</c>, aTLAS among the methods), first a LoRA
    /// fine-tune and a LoRA task vector for every task of some target's pool, in spec order; then one PEFT stage per target.</summary>
    protected override IEnumerable<Stage> Stages(ExperimentSpec spec, PeftSpec section)
    {
        var loraPool = LoraPoolTasks(spec, section);
        return
        [
            .. loraPool.Select(t => new LoraFineTuneStage(t, section.Atlas.LoraVectors)),
            .. loraPool.Select(t => new LoraTaskVectorStage(t, section.Atlas.LoraVectors)),
            .. section.Targets.Select(t => new PeftStage(t, PoolFor(spec, t), section.Atlas.Pool)),
        ];
    }

    /// <summary>The tasks that need a LoRA task vector: none unless aTLAS composes LoRA task vectors.</summary>
    private static List<string> LoraPoolTasks(ExperimentSpec spec, PeftSpec section) =>
        section.Atlas.Pool == PeftVectorPool.Lora && section.Methods.Contains(PeftMethod.Atlas)
            ? [.. spec.Tasks.Select(t => t.Name).Where(task => section.Targets.Any(target => PoolFor(spec, target).Contains(task)))]
            : [];

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
        var first = PeftStage.Read(context, section.Targets[0]);
        var vectors = section.Atlas.Pool == PeftVectorPool.Lora
            ? $"aTLAS × K composes the other tasks' LoRA task vectors (r {section.Atlas.LoraVectors.Rank}, α {section.Atlas.LoraVectors.Alpha}, " +
              $"lr {section.Atlas.LoraVectors.Lr}, the fine-tuning recipe's steps; the paper's choice, App. F): Λ spans only the P = {first.PoolBlocks} " +
              $"LoRA-adapted matrices, the only blocks where those vectors are not 0, so it has T·P·K = {first.Pool.Count}·{first.PoolBlocks}·K parameters. "
            : $"aTLAS × K composes the other tasks' full task vectors (the released code's PEFT script; the paper uses LoRA task vectors): " +
              $"Λ spans all P = {first.PoolBlocks} image-tower blocks, T·P·K = {first.Pool.Count}·{first.PoolBlocks}·K parameters. ";
        var summary = vectors + $"Each method learns the same cross-entropy from the same nested subsets for {section.Epochs} epochs; aTLAS × K (K = {string.Join(", ", section.Atlas.Partitions)}) keeps " +
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

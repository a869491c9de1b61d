namespace Atlas.Stages.Imports;

/// <summary>The spec's <c>pretrained_checkpoint</c> checked against the backbone and written as the project's fp32
/// CLIP, in place of the <c>pretrain</c> stage: θ0 and the text tower for every stage that reads pretrained weights.</summary>
public sealed class ImportPretrainedStage(string source) : ImportStage(source)
{
    public override string Id => StageIds.ImportPretrained;
    public override string Phase => "Pretrain";
    public override string Description => $"import the pretrained CLIP from {Source} (in place of pretrain)";
    public override string? Replaces => StageIds.Pretrain;

    public override IReadOnlyList<string> Outputs(ExperimentContext context) => [context.Layout.PretrainedWeights];

    public override void Execute(ExperimentContext context, StageRun run)
    {
        var weights = ImportedCheckpoint.LoadPretrained(SourcePath(context), context.Config);
        context.SaveTensors(context.Layout.PretrainedWeights, weights,
            new Dictionary<string, string> { ["backbone"] = context.Config.Name, ["stage"] = Id, ["source"] = Source });
    }
}

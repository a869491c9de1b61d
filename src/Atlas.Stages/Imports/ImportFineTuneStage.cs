namespace Atlas.Stages.Imports;

/// <summary>The image tower of a task's <c>finetuned_checkpoint</c> (a CLIP or image-encoder checkpoint of the
/// backbone), in place of the task's <c>finetune</c> stage; its task vector is then computed as usual.</summary>
public sealed class ImportFineTuneStage(string task, string source) : ImportStage(source)
{
    public override string Id => StageIds.ImportFineTune(task);
    public override string Phase => "FineTune";
    public override string Description => $"import the fine-tuned image tower of {task} from {Source} (in place of fine-tuning)";
    public override string? Replaces => StageIds.FineTune(task);

    public override IReadOnlyList<string> Outputs(ExperimentContext context) => [context.Layout.FineTuned(task)];

    public override void Execute(ExperimentContext context, StageRun run)
    {
        var weights = ImportedCheckpoint.LoadFineTunedVisual(SourcePath(context), context.Config);
        context.SaveTensors(context.Layout.FineTuned(task), weights, new Dictionary<string, string> { ["task"] = task, ["source"] = Source });
    }
}

using Atlas.Method;

namespace Atlas.Stages;

/// <summary>τ = θ_ft − θ0 over the image tower, keyed by parameter name (safetensors, float32).</summary>
public sealed class TaskVectorStage(string task) : Stage
{
    public override string Id => StageIds.TaskVector(task);
    public override bool RunsOnDevice => true;
    public override string Phase => "TaskVectors";
    public override string Description => $"task vector of {task} (fine-tuned − pretrained)";
    public override IReadOnlyList<string> DependsOn => [StageIds.Pretrain, StageIds.FineTune(task)];

    public override object Parameters(ExperimentContext context) => new { Task = task };

    public override IReadOnlyList<string> Inputs(ExperimentContext context) =>
        [context.Layout.PretrainedWeights, context.Layout.FineTuned(task)];

    public override IReadOnlyList<string> Outputs(ExperimentContext context) => [context.Layout.TaskVector(task)];

    public override void Execute(ExperimentContext context, StageRun run)
    {
        var pretrained = context.PretrainedVisual();
        using var taskVector = TaskVector.FromWeights(pretrained, context.LoadTensors(context.Layout.FineTuned(task)), pretrained.Keys);
        context.SaveTensors(context.Layout.TaskVector(task), taskVector.Deltas, new Dictionary<string, string>
        {
            ["task"] = task,
            ["squared_norm"] = taskVector.SquaredNorm().ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    /// <summary>Reads a task vector written by this stage.</summary>
    public static TaskVector Read(ExperimentContext context, string task) =>
        TaskVector.FromDeltas(context.LoadTensors(context.Layout.TaskVector(task)));
}

using System.Globalization;
using Atlas.Method;
using Atlas.Method.Lora;
using Atlas.Pipeline.Specs;

namespace Atlas.Stages;

/// <summary>
/// The LoRA task vector of a task: τ = (α/r)·B·A on every LoRA-adapted matrix and 0 on every other image-tower tensor,
/// keyed by parameter name like <see cref="TaskVectorStage"/>'s (safetensors, float32), so θ0 + τ is the LoRA fine-tuned
/// tower exactly.
/// </summary>
public sealed class LoraTaskVectorStage(string task, LoraVectorSpec lora) : Stage
{
    public override string Id => StageIds.LoraTaskVector(task);
    public override bool RunsOnDevice => true;
    public override string Phase => "LoraTaskVectors";
    public override string Description => $"LoRA task vector of {task} ((α/r)·B·A per adapted matrix)";
    public override IReadOnlyList<string> DependsOn => [StageIds.Pretrain, StageIds.LoraFineTune(task)];

    public override object Parameters(ExperimentContext context) => new { Task = task, lora.Rank, lora.Alpha };

    public override IReadOnlyList<string> Inputs(ExperimentContext context) =>
        [context.Layout.PretrainedWeights, context.Layout.LoraFineTuned(task)];

    public override IReadOnlyList<string> Outputs(ExperimentContext context) => [context.Layout.LoraTaskVector(task)];

    public override void Execute(ExperimentContext context, StageRun run)
    {
        var pretrained = context.PretrainedVisual();
        var pairs = context.LoadTensors(context.Layout.LoraFineTuned(task));
        using var taskVector = TaskVector.FromDeltas(LoraAdapters.TaskVector(pretrained, pairs, lora.Alpha, lora.Rank));
        context.SaveTensors(context.Layout.LoraTaskVector(task), taskVector.Deltas, new Dictionary<string, string>
        {
            ["task"] = task,
            ["squared_norm"] = taskVector.SquaredNorm().ToString("R", CultureInfo.InvariantCulture),
        });
    }

    /// <summary>Reads a LoRA task vector written by this stage.</summary>
    public static TaskVector Read(ExperimentContext context, string task) =>
        TaskVector.FromDeltas(context.LoadTensors(context.Layout.LoraTaskVector(task)));
}

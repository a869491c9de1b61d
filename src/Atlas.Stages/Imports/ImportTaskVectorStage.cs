using System.Globalization;
using Atlas.Method;

namespace Atlas.Stages.Imports;

/// <summary>A task's <c>task_vector_file</c> checked against the backbone's image tower and written as the project's
/// fp32 task vector, in place of the task's <c>taskvector</c> stage (the task is then not fine-tuned at all).</summary>
public sealed class ImportTaskVectorStage(string task, string source) : ImportStage(source)
{
    public override string Id => StageIds.ImportTaskVector(task);
    public override string Phase => "TaskVectors";
    public override string Description => $"import the task vector of {task} from {Source} (in place of fine-tuning)";
    public override string? Replaces => StageIds.TaskVector(task);

    public override IReadOnlyList<string> Outputs(ExperimentContext context) => [context.Layout.TaskVector(task)];

    public override void Execute(ExperimentContext context, StageRun run)
    {
        using var taskVector = TaskVector.FromDeltas(ImportedCheckpoint.LoadTaskVector(SourcePath(context), context.Config));
        context.SaveTensors(context.Layout.TaskVector(task), taskVector.Deltas, new Dictionary<string, string>
        {
            ["task"] = task,
            ["source"] = Source,
            ["squared_norm"] = taskVector.SquaredNorm().ToString("R", CultureInfo.InvariantCulture),
        });
    }
}

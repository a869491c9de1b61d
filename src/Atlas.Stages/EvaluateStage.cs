using Atlas.Data;
using Atlas.Training;

namespace Atlas.Stages;

/// <summary>
/// Zero-shot (θ0) and fine-tuned accuracy of a task on val and test. The fine-tuned model is rebuilt as θ0 + τ, so
/// the stored task vector itself is what gets checked.
/// </summary>
public sealed class EvaluateStage(string task) : Stage
{
    public override string Id => StageIds.Evaluate(task);
    public override bool RunsOnDevice => true;
    public override string Phase => "Evaluate";
    public override string Description => $"zero-shot and fine-tuned accuracy of {task}";
    public override IReadOnlyList<string> DependsOn => [StageIds.Data, StageIds.Head(task), StageIds.TaskVector(task)];

    public override object Parameters(ExperimentContext context)
    {
        var spec = context.Task(task);
        return new { context.Spec.Evaluate.Batch, spec.Source, spec.Transform, spec.LabelMap };
    }

    public override IReadOnlyList<string> Inputs(ExperimentContext context) =>
        [context.Layout.PretrainedWeights, context.Layout.Head(task), context.Layout.TaskVector(task), context.Layout.Splits, .. DataFiles(context), .. context.PaperDataFiles([task])];

    public override IReadOnlyList<string> Outputs(ExperimentContext context) => [context.Layout.Accuracy(task)];

    public override void Execute(ExperimentContext context, StageRun run)
    {
        var spec = context.Task(task);
        var pretrained = context.PretrainedVisual();
        var head = HeadStage.Read(context, task);
        using var taskVector = TaskVectorStage.Read(context, task);
        var fineTuned = taskVector.ApplyTo(pretrained, 1.0);
        using var val = context.TaskData(spec, SourceSplit.Val);
        using var test = context.TaskData(spec, SourceSplit.Test);
        double Accuracy(IReadOnlyDictionary<string, TorchSharp.torch.Tensor> weights, ILabelledImageSet view) =>
            Evaluation.Accuracy(weights, head, view, context.Config, context.Spec.Evaluate.Batch);

        var accuracy = new TaskAccuracy(task,
            Accuracy(pretrained, val), Accuracy(pretrained, test), Accuracy(fineTuned, val), Accuracy(fineTuned, test));
        context.Log.WriteLine($"[{Id}] zero-shot {accuracy.ZeroShotTest:F2}%  fine-tuned {accuracy.FineTunedTest:F2}% (test)");
        context.WriteJson(context.Layout.Accuracy(task), accuracy);
    }

    public static TaskAccuracy Read(ExperimentContext context, string task) =>
        context.ReadJson<TaskAccuracy>(context.Layout.Accuracy(task));
}

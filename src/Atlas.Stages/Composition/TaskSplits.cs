using Atlas.Data;
using Atlas.Training;
using Atlas.Training.Selection;
using Atlas.Training.Towers;
using static TorchSharp.torch;

namespace Atlas.Stages.Composition;

/// <summary>A task's frozen head and its val and test images, loaded for a composition stage (owns its tensors).</summary>
public sealed class TaskSplits(string name, Tensor head, ILabelledImageSet val, ILabelledImageSet test, TaskAccuracy accuracy) : IDisposable
{
    public string Name { get; } = name;

    /// <summary>The frozen zero-shot head [C, E].</summary>
    public Tensor Head { get; } = head;

    public ILabelledImageSet Val { get; } = val;

    public ILabelledImageSet Test { get; } = test;

    /// <summary>Zero-shot and fine-tuned accuracies from the task's evaluation (normalisers of normalised accuracy).</summary>
    public TaskAccuracy Accuracy { get; } = accuracy;

    public static TaskSplits Load(ExperimentContext context, string task)
    {
        var head = HeadStage.Read(context, task).DetachFromDisposeScope();
        var spec = context.Task(task);
        return new TaskSplits(task, head, context.TaskData(spec, SourceSplit.Val).DetachFromDisposeScope(),
            context.TaskData(spec, SourceSplit.Test).DetachFromDisposeScope(),
            EvaluateStage.Read(context, task));
    }

    /// <summary>Top-1 accuracy (%) of the image-tower weights on the val or test split, in batches of
    /// <paramref name="batch"/> images (default: the spec's evaluation batch).</summary>
    public double AccuracyOf(IReadOnlyDictionary<string, Tensor> weights, ILabelledImageSet split, ExperimentContext context, int? batch = null) =>
        Evaluation.Accuracy(weights, Head, split, context.Config, batch ?? context.Spec.Evaluate.Batch);

    /// <summary>The paper's selection for a single target: after every epoch the tower is scored on the full labelled
    /// validation split and the most accurate epoch is kept (the starting weights if none beats them).</summary>
    /// <param name="batch">Evaluation batch; a stage that measures training memory passes its training batch so
    /// scoring never raises the peak.</param>
    /// <param name="initialAccuracy">The starting weights' validation accuracy when this stage already scored the very
    /// same weights with the same batch (read it from <see cref="EpochSelection.Records"/>[0] of the earlier selection);
    /// null scores them.</param>
    public EpochSelection ValidationSelection(int stepsPerEpoch, ITowerParameterization tower, IReadOnlyDictionary<string, Tensor> initial,
        ExperimentContext context, int? batch = null, double? initialAccuracy = null) =>
        new(stepsPerEpoch, initial, trained => Verdict(AccuracyOf(tower.Weights(trained), Val, context, batch)),
            initialAccuracy is { } known ? Verdict(known) : null);

    private static EpochVerdict Verdict(double accuracy) => new(accuracy, true, false, new Dictionary<string, double>());

    public void Dispose()
    {
        Head.Dispose();
        Val.Dispose();
        Test.Dispose();
    }
}

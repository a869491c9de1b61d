using Atlas.Method.Composition;
using Atlas.Models;
using static TorchSharp.torch;

namespace Atlas.Stages.Composition;

/// <summary>
/// What every composition stage loads: θ0 of the image tower, the task vectors of the tasks it composes (a pool over
/// the tower's blocks in canonical order), and each task's head, val and test images and reference accuracies.
/// </summary>
public sealed class CompositionInputs : IDisposable
{
    private CompositionInputs(Dictionary<string, Tensor> pretrained, TaskVectorPool pool, IReadOnlyList<TaskSplits> tasks)
    {
        Pretrained = pretrained;
        Pool = pool;
        Tasks = tasks;
    }

    public Dictionary<string, Tensor> Pretrained { get; }

    /// <summary>The task vectors named in <see cref="Load"/>.</summary>
    public TaskVectorPool Pool { get; }

    /// <summary>The evaluated tasks, in the order given to <see cref="Load"/>.</summary>
    public IReadOnlyList<TaskSplits> Tasks { get; }

    /// <param name="vectorTasks">Tasks whose vectors form the pool.</param>
    /// <param name="evaluatedTasks">Tasks whose data and heads are loaded.</param>
    public static CompositionInputs Load(ExperimentContext context, IReadOnlyList<string> vectorTasks, IReadOnlyList<string> evaluatedTasks)
    {
        var pretrained = context.PretrainedVisual();
        foreach (var tensor in pretrained.Values) tensor.DetachFromDisposeScope();
        var vectors = vectorTasks.Select(t => (Name: t, Vector: TaskVectorStage.Read(context, t))).ToList();
        try
        {
            var pool = new TaskVectorPool(pretrained, ClipParameterNames.Visual(context.Config),
                [.. vectors.Select(v => (v.Name, v.Vector.Deltas))]);
            return new CompositionInputs(pretrained, pool, [.. evaluatedTasks.Select(t => TaskSplits.Load(context, t))]);
        }
        finally
        {
            foreach (var (_, vector) in vectors) vector.Dispose();
        }
    }

    /// <summary>What decides the images and labels of <paramref name="tasks"/> (for a stage's lock parameters).</summary>
    public static object DataParameters(ExperimentContext context, IEnumerable<string> tasks) =>
        tasks.Select(t => new { Task = t, context.Task(t).Source, context.Task(t).Transform, context.Task(t).LabelMap }).ToList();

    /// <summary>The stage inputs these files come from.</summary>
    public static IReadOnlyList<string> Files(ExperimentContext context, IEnumerable<string> vectorTasks, IEnumerable<string> evaluatedTasks) =>
    [
        context.Layout.PretrainedWeights,
        context.Layout.Splits,
        .. vectorTasks.Select(context.Layout.TaskVector),
        .. evaluatedTasks.SelectMany(t => new[] { context.Layout.Head(t), context.Layout.Accuracy(t) }),
    ];

    /// <summary>The stage dependencies these files come from.</summary>
    public static IReadOnlyList<string> Stages(IEnumerable<string> vectorTasks, IEnumerable<string> evaluatedTasks) =>
    [
        StageIds.Data,
        StageIds.Pretrain,
        .. vectorTasks.Select(StageIds.TaskVector),
        .. evaluatedTasks.SelectMany(t => new[] { StageIds.Head(t), StageIds.Evaluate(t) }),
    ];

    public void Dispose()
    {
        Pool.Dispose();
        foreach (var task in Tasks) task.Dispose();
        foreach (var tensor in Pretrained.Values) tensor.Dispose();
    }
}

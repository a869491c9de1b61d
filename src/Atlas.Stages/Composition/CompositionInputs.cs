using Atlas.Method.Composition;
using Atlas.Method.Lora;
using Atlas.Models;
using Atlas.Pipeline.Specs;
using static TorchSharp.torch;

namespace Atlas.Stages.Composition;

/// <summary>
/// What every composition stage loads: θ0 of the image tower, the task vectors of the tasks it composes (a pool over
/// the tower's blocks in canonical order), and each task's head, val and test images and reference accuracies.
/// LoRA task vectors (<see cref="PeftVectorPool.Lora"/>) form a pool over the LoRA-adapted matrices only: every other
/// block is 0 in every one of them, so it would carry coefficients that can never act.
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
    /// <param name="vectors">Full task vectors (every block) or LoRA task vectors (the adapted matrices).</param>
    public static CompositionInputs Load(ExperimentContext context, IReadOnlyList<string> vectorTasks, IReadOnlyList<string> evaluatedTasks,
        PeftVectorPool vectors = PeftVectorPool.Full)
    {
        var pretrained = context.PretrainedVisual();
        foreach (var tensor in pretrained.Values) tensor.DetachFromDisposeScope();
        var loaded = vectorTasks.Select(t => (Name: t, Vector: vectors == PeftVectorPool.Lora ? LoraTaskVectorStage.Read(context, t) : TaskVectorStage.Read(context, t))).ToList();
        try
        {
            var pool = new TaskVectorPool(pretrained, Blocks(context, vectors),
                [.. loaded.Select(v => (v.Name, v.Vector.Deltas))]);
            return new CompositionInputs(pretrained, pool, [.. evaluatedTasks.Select(t => TaskSplits.Load(context, t))]);
        }
        finally
        {
            foreach (var (_, vector) in loaded) vector.Dispose();
        }
    }

    /// <summary>The pool's blocks: every image-tower tensor, or for LoRA task vectors the adapted matrices (the only
    /// blocks where they are not 0), in canonical order.</summary>
    public static IReadOnlyList<string> Blocks(ExperimentContext context, PeftVectorPool vectors)
    {
        var visual = ClipParameterNames.Visual(context.Config);
        return vectors == PeftVectorPool.Lora ? LoraAdapters.DefaultTargets(visual) : visual;
    }

    /// <summary>What decides the images and labels of <paramref name="tasks"/> (for a stage's lock parameters).</summary>
    public static object DataParameters(ExperimentContext context, IEnumerable<string> tasks) =>
        tasks.Select(t => new { Task = t, context.Task(t).Source, context.Task(t).Transform, context.Task(t).LabelMap }).ToList();

    /// <summary>The stage inputs these files come from.</summary>
    public static IReadOnlyList<string> Files(ExperimentContext context, IEnumerable<string> vectorTasks, IEnumerable<string> evaluatedTasks,
        PeftVectorPool vectors = PeftVectorPool.Full) =>
    [
        context.Layout.PretrainedWeights,
        context.Layout.Splits,
        .. vectorTasks.Select(t => vectors == PeftVectorPool.Lora ? context.Layout.LoraTaskVector(t) : context.Layout.TaskVector(t)),
        .. evaluatedTasks.SelectMany(t => new[] { context.Layout.Head(t), context.Layout.Accuracy(t) }),
        .. context.PaperDataFiles(evaluatedTasks),
    ];

    /// <summary>The stage dependencies these files come from.</summary>
    public static IReadOnlyList<string> Stages(IEnumerable<string> vectorTasks, IEnumerable<string> evaluatedTasks,
        PeftVectorPool vectors = PeftVectorPool.Full) =>
    [
        StageIds.Data,
        StageIds.Pretrain,
        .. vectorTasks.Select(t => vectors == PeftVectorPool.Lora ? StageIds.LoraTaskVector(t) : StageIds.TaskVector(t)),
        .. evaluatedTasks.SelectMany(t => new[] { StageIds.Head(t), StageIds.Evaluate(t) }),
    ];

    public void Dispose()
    {
        Pool.Dispose();
        foreach (var task in Tasks) task.Dispose();
        foreach (var tensor in Pretrained.Values) tensor.Dispose();
    }
}

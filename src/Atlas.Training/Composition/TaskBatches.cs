using Atlas.Method;
using Atlas.Models;
using static TorchSharp.torch;

namespace Atlas.Training.Composition;

/// <summary>
/// One mini-batch per task at every step, run through the image tower in a single forward pass and scored through each
/// task's own frozen head. Task addition sums the tasks' cross-entropies (docs/method.md §M4.2); negation and AdaMerging weigh or
/// replace the per-task terms.
/// </summary>
public sealed class TaskBatches
{
    private readonly IReadOnlyList<(ImageBatches Batches, Tensor Head)> _tasks;
    private readonly ClipConfig _config;

    /// <param name="tasks">Per task: its batch stream and its head weight [C, E].</param>
    public TaskBatches(IReadOnlyList<(ImageBatches Batches, Tensor Head)> tasks, ClipConfig config)
    {
        if (tasks.Count == 0) throw new ArgumentException("need at least one task", nameof(tasks));
        _tasks = tasks;
        _config = config;
    }

    /// <summary>Logits and labels of every task at <paramref name="step"/>, from one forward pass of the tower.</summary>
    public IReadOnlyList<(Tensor Logits, Tensor Labels)> At(IReadOnlyDictionary<string, Tensor> weights, long step) =>
        Score(weights, [.. _tasks.Select(t => t.Batches.At(step))]);

    /// <summary>Micro-batch <paramref name="micro"/> of <paramref name="microBatches"/> (gradient accumulation): every
    /// task's batch at <paramref name="step"/> cut into equal parts in order (<see cref="ImageBatches.At(long, int, int)"/>),
    /// part <paramref name="micro"/> of each scored as <see cref="At(IReadOnlyDictionary{string, Tensor}, long)"/> scores the whole.</summary>
    public IReadOnlyList<(Tensor Logits, Tensor Labels)> At(IReadOnlyDictionary<string, Tensor> weights, long step, int micro, int microBatches) =>
        Score(weights, [.. _tasks.Select(t => t.Batches.At(step, micro, microBatches))]);

    private IReadOnlyList<(Tensor Logits, Tensor Labels)> Score(IReadOnlyDictionary<string, Tensor> weights, IReadOnlyList<(Tensor Images, Tensor Labels)> drawn)
    {
        // Batches are drawn and augmented on the CPU and follow the heads (the weights' device; on the CPU, unmoved).
        var batches = drawn
            .Select((b, i) => (Images: DevicePlacement.Like(b.Images, _tasks[i].Head), Labels: DevicePlacement.Like(b.Labels, _tasks[i].Head)))
            .ToList();
        var images = cat(batches.Select(b => b.Images).ToArray(), 0);
        var features = ClipForward.EncodeImage(Preprocessing.Normalize(images, _config), weights, _config.Vision);
        var sizes = batches.Select(b => b.Images.shape[0]).ToArray();
        var perTask = features.split(sizes, 0);
        return [.. _tasks.Select((task, i) => (ZeroShotHead.Logits(perTask[i], task.Head), batches[i].Labels))];
    }

    /// <summary>Σ_t CE_t: the task-addition objective.</summary>
    public Tensor SummedCrossEntropy(IReadOnlyDictionary<string, Tensor> weights, long step)
    {
        var terms = At(weights, step).Select(t => nn.functional.cross_entropy(t.Logits, t.Labels)).ToArray();
        return stack(terms).sum();
    }

    /// <summary>Σ_t CE_t of micro-batch <paramref name="micro"/> of <paramref name="microBatches"/>: with equal parts the
    /// mean over the parts is <see cref="SummedCrossEntropy(IReadOnlyDictionary{string, Tensor}, long)"/> of the whole step.</summary>
    public Tensor SummedCrossEntropy(IReadOnlyDictionary<string, Tensor> weights, long step, int micro, int microBatches)
    {
        var terms = At(weights, step, micro, microBatches).Select(t => nn.functional.cross_entropy(t.Logits, t.Labels)).ToArray();
        return stack(terms).sum();
    }
}

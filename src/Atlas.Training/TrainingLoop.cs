using System.Diagnostics;
using Atlas.Training.Optim;
using Atlas.Training.Selection;
using static TorchSharp.torch;

namespace Atlas.Training;

/// <summary>
/// The optimisation loop shared by pretraining, fine-tuning and coefficient learning: AdamW over named leaf tensors,
/// scheduled learning rate, grad-norm clipping, progress, and resumable snapshots. The caller supplies the loss of a
/// step as a function of the step index, which keeps batches and augmentation reproducible after a resume. With an
/// <see cref="EpochSelection"/> the weights are scored after every epoch and the loop ends early when it says so.
/// </summary>
public static class TrainingLoop
{
    /// <param name="initial">Starting weights, by name (not modified); every entry is trained.</param>
    /// <param name="lossAt">Builds the scalar loss of a step from the trained weights and the step index.</param>
    /// <param name="selection">Per-epoch model selection, or null; the caller reads the selected weights from it.</param>
    /// <returns>The trained weights (detached) and the loss history of all steps, including those before a resume.</returns>
    public static (Dictionary<string, Tensor> Weights, IReadOnlyList<LossPoint> History) Run(
        IReadOnlyDictionary<string, Tensor> initial,
        OptimizationRecipe recipe,
        Func<IReadOnlyDictionary<string, Tensor>, long, Tensor> lossAt,
        TrainingProgress progress,
        ITrainingCheckpoint? checkpoint = null,
        EpochSelection? selection = null)
    {
        if (recipe.GradientAccumulation != GradientAccumulation.None)
            throw new ArgumentException($"this loss has no micro-batches; gradient accumulation {recipe.GradientAccumulation} needs the micro-batch overload", nameof(recipe));
        return Run(initial, recipe, (weights, step, _) => lossAt(weights, step), progress, checkpoint, selection);
    }

    /// <summary>The loop with gradient accumulation: each step sums the gradients of
    /// <see cref="OptimizationRecipe.GradientAccumulation"/> micro-batches (<see cref="Optim.GradientAccumulation"/>).</summary>
    /// <param name="lossAt">Builds the scalar mean loss of micro-batch i of a step from the trained weights, the step
    /// index and i.</param>
    public static (Dictionary<string, Tensor> Weights, IReadOnlyList<LossPoint> History) Run(
        IReadOnlyDictionary<string, Tensor> initial,
        OptimizationRecipe recipe,
        Func<IReadOnlyDictionary<string, Tensor>, long, int, Tensor> lossAt,
        TrainingProgress progress,
        ITrainingCheckpoint? checkpoint = null,
        EpochSelection? selection = null)
    {
        var parameters = initial.ToDictionary(p => p.Key, p => p.Value.detach().clone().requires_grad_(true));
        using var optimizer = new AdamW(parameters, recipe.WeightDecay);
        var history = new List<LossPoint>();
        long start = 0;
        if (checkpoint?.Load() is { } snapshot)
        {
            using (no_grad())
                foreach (var (name, parameter) in parameters) parameter.copy_(snapshot.Parameters[name]);
            optimizer.LoadState(snapshot.OptimizerState);
            history.AddRange(snapshot.History);
            start = snapshot.CompletedSteps;
            if (snapshot.Selection is { } state)
                (selection ?? throw new InvalidDataException("the snapshot holds a model selection, but this loop has none")).Restore(state);
        }

        var schedule = recipe.Schedule;
        for (long step = start; step < recipe.Steps && selection?.Stopped != true; step++)
        {
            using var scope = NewDisposeScope();
            long started = Stopwatch.GetTimestamp();
            double lossValue = GradientAccumulation.Backward(recipe.GradientAccumulation, micro => lossAt(parameters, step, micro), step);
            GradientClipping.ClipGlobalNorm(parameters.Values, recipe.GradClip);
            double lr = schedule.At(step);
            optimizer.Step(lr);
            optimizer.ZeroGrad();
            history.Add(new LossPoint(step + 1, lossValue, lr));
            progress.Report(step, lossValue, lr, Stopwatch.GetElapsedTime(started).TotalSeconds);
            if (selection is not null && (step + 1) % selection.StepsPerEpoch == 0)
                selection.AfterEpoch(parameters, (int)((step + 1) / selection.StepsPerEpoch), step + 1);
            if (checkpoint is not null && (step + 1) % checkpoint.Interval == 0 && step + 1 < recipe.Steps)
                checkpoint.Save(new TrainingSnapshot(step + 1, parameters, optimizer.StateTensors(), history.ToList(), selection?.State));
        }
        return (parameters.ToDictionary(p => p.Key, p => p.Value.detach()), history);
    }
}

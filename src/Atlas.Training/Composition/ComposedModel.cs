using Atlas.Method.Composition;
using Atlas.Models;
using Atlas.Training.Optim;
using Atlas.Training.Selection;
using Atlas.Training.Towers;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Training.Composition;

/// <summary>
/// An image tower whose weights are θ0 + Σ_t Λ[t, ·] ⊙ τ_t over a frozen task-vector pool: only the coefficients Λ are
/// trained (docs/method.md §M3.2–§M3.3). Training goes through the shared <see cref="TrainingLoop"/>, with Λ as its single named
/// tensor, so AdamW, clipping, snapshots and per-epoch selection behave exactly as in fine-tuning.
/// </summary>
/// <param name="pretrained">θ0 of the image tower (frozen, not modified).</param>
/// <param name="pool">The task vectors (frozen).</param>
/// <param name="layout">How Λ maps onto the pool's blocks.</param>
/// <param name="bounds">Optional bounds: the weights then use clamp(Λ) (AdaMerging); null uses Λ as it is (aTLAS).</param>
public sealed class ComposedModel(
    IReadOnlyDictionary<string, Tensor> pretrained, TaskVectorPool pool, CoefficientLayout layout, CoefficientBounds? bounds = null)
    : ITowerParameterization
{
    /// <summary>The name of Λ in training snapshots and selections.</summary>
    public const string CoefficientsKey = "coefficients";

    public TaskVectorPool Pool { get; } = pool;

    public CoefficientLayout Layout { get; } = layout;

    /// <summary>The entries of Λ: T·G, or T·P·K when partitioned.</summary>
    public long TrainableCount => Layout.CoefficientShape(Pool.TaskCount).Aggregate(1L, (a, b) => a * b);

    /// <summary>Λ filled with <paramref name="value"/> (0: the pretrained model), as the loop's named tensors, on the
    /// device of the pool.</summary>
    public Dictionary<string, Tensor> Initial(double value = 0) =>
        new() { [CoefficientsKey] = Layout.Create(Pool.TaskCount, value, requiresGrad: false, device: Pool.Stack(0).device) };

    /// <summary>The bounds applied to Λ before composing, if any.</summary>
    public CoefficientBounds? Bounds { get; } = bounds;

    /// <summary>The coefficients the composition actually uses: clamp(Λ) under <see cref="Bounds"/>, else Λ itself.</summary>
    public Tensor Effective(Tensor coefficients) => Bounds is null ? coefficients : Bounds.Apply(coefficients);

    /// <summary>The composed image-tower weights for Λ (through <see cref="Effective"/>); differentiable with respect to Λ.
    /// Λ follows the pool to its device (one restored from a checkpoint file is on the CPU); on the CPU it is used as it is.</summary>
    public Dictionary<string, Tensor> Weights(Tensor coefficients) =>
        WeightComposer.Compose(pretrained, Pool, Layout, Effective(DevicePlacement.Like(coefficients, Pool.Stack(0))));

    /// <summary>The composed weights for the loop's named tensors.</summary>
    public Dictionary<string, Tensor> Weights(IReadOnlyDictionary<string, Tensor> trained) => Weights(trained[CoefficientsKey]);

    IReadOnlyDictionary<string, Tensor> ITowerParameterization.Initial() => Initial();

    IReadOnlyDictionary<string, Tensor> ITowerParameterization.Weights(IReadOnlyDictionary<string, Tensor> trained) => Weights(trained);

    /// <summary>Learns Λ from <paramref name="initial"/> with a whole-batch loss: the micro-batch overload's loop with
    /// one micro-batch per step, so <see cref="OptimizationRecipe.GradientAccumulation"/> must be 1.</summary>
    /// <param name="lossAt">The loss of a step for the composed weights.</param>
    /// <param name="regularizer">Optional L_p penalty on Λ, added to the loss.</param>
    /// <returns>Λ after the last step (detached) and the loss history.</returns>
    public (Tensor Coefficients, IReadOnlyList<LossPoint> History) Train(
        IReadOnlyDictionary<string, Tensor> initial,
        OptimizationRecipe recipe,
        Func<IReadOnlyDictionary<string, Tensor>, long, Tensor> lossAt,
        TrainingProgress progress,
        ITrainingCheckpoint? checkpoint = null,
        EpochSelection? selection = null,
        CoefficientRegularizer? regularizer = null)
    {
        // The whole-batch loss is the one micro-batch of k = 1; with k > 1 it has no parts to cut.
        if (recipe.GradientAccumulation != GradientAccumulation.None)
            throw new ArgumentException($"this loss has no micro-batches; gradient accumulation {recipe.GradientAccumulation} needs the micro-batch overload", nameof(recipe));
        return Train(initial, recipe, (weights, step, _) => lossAt(weights, step), progress, checkpoint, selection, regularizer);
    }

    /// <summary>Learns Λ from <paramref name="initial"/> with gradient accumulation over
    /// <see cref="OptimizationRecipe.GradientAccumulation"/> micro-batches per step (the paper's ViT-L/14 coefficient
    /// learning: batch 128 as 2 × 64); with k = 1 it is the plain loop (loss, penalty, backward, one step). The penalty
    /// is added to every micro-batch's loss, so with the 1/k scaling it enters each step's gradient once.</summary>
    /// <param name="lossAt">The mean loss of micro-batch i of a step for the composed weights.</param>
    public (Tensor Coefficients, IReadOnlyList<LossPoint> History) Train(
        IReadOnlyDictionary<string, Tensor> initial,
        OptimizationRecipe recipe,
        Func<IReadOnlyDictionary<string, Tensor>, long, int, Tensor> lossAt,
        TrainingProgress progress,
        ITrainingCheckpoint? checkpoint = null,
        EpochSelection? selection = null,
        CoefficientRegularizer? regularizer = null)
    {
        var (trained, history) = TrainingLoop.Run(initial, recipe, (parameters, step, micro) =>
        {
            var coefficients = parameters[CoefficientsKey];
            var loss = lossAt(Weights(coefficients), step, micro);
            if (regularizer is null) return loss;
            using Scalar one = 1.0.ToScalar();
            return loss.add(regularizer.Penalty(coefficients), one);
        }, progress, checkpoint, selection);
        return (trained[CoefficientsKey], history);
    }
}

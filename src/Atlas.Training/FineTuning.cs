using Atlas.Method;
using Atlas.Models;
using Atlas.Training.Optim;
using Atlas.Training.Selection;
using Atlas.Training.Towers;
using static TorchSharp.torch;

namespace Atlas.Training;

/// <summary>
/// The paper's fine-tuning: cross-entropy through the task's frozen zero-shot head, minimised over the trained tensors
/// of a tower parameterisation. With every tensor trained (<see cref="FullTower"/>) the result θ_ft gives the task
/// vector τ = θ_ft − θ0; with LoRA pairs or coefficients Λ it is a parameter-efficient variant of the same objective.
/// </summary>
public static class FineTuning
{
    /// <summary>Full fine-tuning of the image tower.</summary>
    /// <param name="pretrainedVisual">θ0 of the image tower (not modified).</param>
    /// <param name="head">Frozen zero-shot head weight [C, E].</param>
    /// <returns>The fine-tuned image-tower weights (detached) and the loss history.</returns>
    public static (Dictionary<string, Tensor> Weights, IReadOnlyList<LossPoint> History) Run(
        IReadOnlyDictionary<string, Tensor> pretrainedVisual,
        Tensor head,
        ImageBatches batches,
        ClipConfig config,
        OptimizationRecipe recipe,
        TrainingProgress progress,
        ITrainingCheckpoint? checkpoint = null) =>
        Run(new FullTower(pretrainedVisual), head, batches, config, recipe, progress, checkpoint);

    /// <summary>Fine-tuning of a tower parameterisation's trained tensors.</summary>
    /// <param name="selection">Per-epoch model selection over the trained tensors, or null (the last step is kept).</param>
    /// <returns>The trained tensors after the last step (detached) and the loss history.</returns>
    public static (Dictionary<string, Tensor> Trained, IReadOnlyList<LossPoint> History) Run(
        ITowerParameterization tower,
        Tensor head,
        ImageBatches batches,
        ClipConfig config,
        OptimizationRecipe recipe,
        TrainingProgress progress,
        ITrainingCheckpoint? checkpoint = null,
        EpochSelection? selection = null) =>
        TrainingLoop.Run(tower.Initial(), recipe, (trained, step, micro) =>
        {
            var (images, labels) = recipe.GradientAccumulation == GradientAccumulation.None
                ? batches.At(step)
                : batches.At(step, micro, recipe.GradientAccumulation);
            (images, labels) = (DevicePlacement.Like(images, head), DevicePlacement.Like(labels, head));
            var features = ClipForward.EncodeImage(Preprocessing.Normalize(images, config), tower.Weights(trained), config.Vision);
            return nn.functional.cross_entropy(ZeroShotHead.Logits(features, head), labels);
        }, progress, checkpoint, selection);
}

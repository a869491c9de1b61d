using Atlas.Method;
using Atlas.Models;
using Atlas.Training.Optim;
using static TorchSharp.torch;

namespace Atlas.Training;

/// <summary>
/// The paper's fine-tuning: every image-tower parameter is trained with cross-entropy through the task's frozen
/// zero-shot head. The result θ_ft gives the task vector τ = θ_ft − θ0.
/// </summary>
public static class FineTuning
{
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
        TrainingLoop.Run(pretrainedVisual, recipe, (weights, step) =>
        {
            var (images, labels) = batches.At(step);
            var features = ClipForward.EncodeImage(Preprocessing.Normalize(images, config), weights, config.Vision);
            return nn.functional.cross_entropy(ZeroShotHead.Logits(features, head), labels);
        }, progress, checkpoint);
}

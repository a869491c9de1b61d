using Atlas.Training.Optim;
using static TorchSharp.torch;

namespace Atlas.Training.Adapters;

/// <summary>
/// Trains a small head on cached image features (linear probe, Tip-Adapter-F, and LP++ under the aTLAS wrapper's
/// <c>atlas_adam_w</c> variant): full-batch cross-entropy, AdamW, cosine schedule without warm-up, one step per epoch,
/// through the shared training loop. LP++'s own optimiser is <see cref="LinearProbePlusPlusTraining"/>.
/// </summary>
public static class FeatureHeadTraining
{
    /// <param name="initial">The head's trainable tensors (not modified).</param>
    /// <param name="logits">Logits of the cached features under the given tensors.</param>
    /// <param name="labels">Labels of the cached features.</param>
    /// <returns>The trained tensors (detached).</returns>
    public static Dictionary<string, Tensor> Fit(
        IReadOnlyDictionary<string, Tensor> initial, Func<IReadOnlyDictionary<string, Tensor>, Tensor> logits, Tensor labels,
        double lr, double weightDecay, double gradClip, int epochs)
    {
        var recipe = new OptimizationRecipe(lr, weightDecay, epochs, 0, Cosine: true, gradClip);
        var (trained, _) = TrainingLoop.Run(initial, recipe, (weights, _) => nn.functional.cross_entropy(logits(weights), labels),
            new TrainingProgress("adapter", epochs, TextWriter.Null));
        return trained;
    }
}

using Atlas.Models;
using Atlas.Training.Optim;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Training;

/// <summary>
/// CLIP-style contrastive pretraining of both towers on image–caption pairs, standing in for OpenAI's pretraining in
/// the mini profile. Each image is captioned with its class name in a template drawn per (seed, step); because many
/// images of a batch share a class, the target of each row is uniform over the batch entries with the same caption
/// class rather than the diagonal alone, so identical concepts are not pushed apart.
/// </summary>
public static class ContrastivePretraining
{
    /// <summary>CLIP caps the learned temperature at 100.</summary>
    private static readonly double MaxLogLogitScale = Math.Log(100);

    /// <param name="initial">Fresh weights of both towers and <c>logit_scale</c> (not modified).</param>
    /// <param name="batches">Pretraining images with their caption-class labels.</param>
    /// <param name="captionTokens">Token ids [classes, templates, context] of every caption.</param>
    public static (Dictionary<string, Tensor> Weights, IReadOnlyList<LossPoint> History) Run(
        IReadOnlyDictionary<string, Tensor> initial,
        ImageBatches batches,
        Tensor captionTokens,
        ClipConfig config,
        OptimizationRecipe recipe,
        long seed,
        TrainingProgress progress,
        ITrainingCheckpoint? checkpoint = null)
    {
        long templates = captionTokens.shape[1];
        var logitScale = initial["logit_scale"];
        captionTokens = DevicePlacement.Like(captionTokens, logitScale);
        return TrainingLoop.Run(initial, recipe, (parameters, step) =>
        {
            var (images, labels) = batches.At(step);
            (images, labels) = (DevicePlacement.Like(images, logitScale), DevicePlacement.Like(labels, logitScale));
            using var generator = new Generator(unchecked((ulong)(seed * 7_919 + step)));
            // Drawn on the CPU generator (the same templates on every device), then moved.
            var template = DevicePlacement.Like(randint(templates, [labels.shape[0]], generator: generator), logitScale);
            var tokens = captionTokens.index_select(0, labels).gather(1,
                template.view(-1, 1, 1).expand(-1, 1, captionTokens.shape[2])).squeeze(1);

            var imageFeatures = nn.functional.normalize(
                ClipForward.EncodeImage(Preprocessing.Normalize(images, config), parameters, config.Vision), p: 2, dim: -1);
            var textFeatures = nn.functional.normalize(
                ClipForward.EncodeText(tokens, parameters, config.Text), p: 2, dim: -1);
            using Scalar maxLogScale = MaxLogLogitScale.ToScalar(), two = 2.ToScalar();
            var scale = parameters["logit_scale"].clamp(max: maxLogScale).exp();
            var logits = scale * matmul(imageFeatures, textFeatures.t());

            var sameCaption = labels.unsqueeze(1).eq(labels.unsqueeze(0)).to_type(ScalarType.Float32);
            var targets = sameCaption / sameCaption.sum(1, keepdim: true);
            var imageToText = -(targets * logits.log_softmax(1)).sum(1).mean();
            var textToImage = -(targets * logits.t().log_softmax(1)).sum(1).mean();
            return (imageToText + textToImage) / two;
        }, progress, checkpoint);
    }
}

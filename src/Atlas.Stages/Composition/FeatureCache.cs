using Atlas.Models;
using Atlas.Training;
using static TorchSharp.torch;

namespace Atlas.Stages.Composition;

/// <summary>Image features of a frozen tower, computed once so that adapters and probes train on cached features.</summary>
public static class FeatureCache
{
    /// <summary>Unnormalised image embeddings [N, E] of <paramref name="images"/> in [0, 1], without gradients.</summary>
    public static Tensor Encode(IReadOnlyDictionary<string, Tensor> weights, Tensor images, ClipConfig config, int batchSize)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        for (long start = 0; start < images.shape[0]; start += batchSize)
        {
            long length = Math.Min(batchSize, images.shape[0] - start);
            parts.Add(ClipForward.EncodeImage(Preprocessing.Normalize(images.narrow(0, start, length), config), weights, config.Vision));
        }
        return cat(parts.ToArray(), 0).MoveToOuterDisposeScope();
    }

    /// <summary>Top-1 accuracy (%) of logits [N, C] against labels [N].</summary>
    public static double Accuracy(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        return 100.0 * logits.argmax(1).eq(labels).sum().item<long>() / labels.shape[0];
    }
}

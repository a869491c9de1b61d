using Atlas.Data;
using Atlas.Models;
using Atlas.Training;
using static TorchSharp.torch;

namespace Atlas.Stages.Composition;

/// <summary>Image features of a frozen tower, computed once so that adapters and probes train on cached features.</summary>
public static class FeatureCache
{
    /// <summary>Unnormalised image embeddings [N, E] of <paramref name="images"/> in [0, 1], without gradients, on the
    /// weights' device (the images, kept on the CPU, follow batch by batch; on the CPU nothing is moved).</summary>
    public static Tensor Encode(IReadOnlyDictionary<string, Tensor> weights, Tensor images, ClipConfig config, int batchSize) =>
        Encode(weights, images.shape[0], (start, length) => images.narrow(0, start, length), config, batchSize);

    /// <summary>Unnormalised image embeddings [N, E] of every image of <paramref name="images"/>, unaugmented.</summary>
    public static Tensor Encode(IReadOnlyDictionary<string, Tensor> weights, ILabelledImageSet images, ClipConfig config, int batchSize) =>
        Encode(weights, images.Count, images.LoadRange, config, batchSize);

    private static Tensor Encode(IReadOnlyDictionary<string, Tensor> weights, long count, Func<long, long, Tensor> range, ClipConfig config, int batchSize)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var device = DevicePlacement.Of(weights);
        var parts = new List<Tensor>();
        for (long start = 0; start < count; start += batchSize)
        {
            long length = Math.Min(batchSize, count - start);
            var batch = DevicePlacement.To(range(start, length), device);
            parts.Add(ClipForward.EncodeImage(Preprocessing.Normalize(batch, config), weights, config.Vision));
        }
        return cat(parts.ToArray(), 0).MoveToOuterDisposeScope();
    }

    /// <summary>Top-1 accuracy (%) of logits [N, C] against labels [N] (the labels follow the logits to their device).</summary>
    public static double Accuracy(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        return 100.0 * logits.argmax(1).eq(DevicePlacement.Like(labels, logits)).sum().item<long>() / labels.shape[0];
    }
}

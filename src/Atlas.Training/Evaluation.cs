using Atlas.Data;
using Atlas.Method;
using Atlas.Models;
using static TorchSharp.torch;

namespace Atlas.Training;

/// <summary>Top-1 accuracy of an image tower with a zero-shot head over a labelled image set (no augmentation).</summary>
public static class Evaluation
{
    /// <returns>Accuracy in percent.</returns>
    public static double Accuracy(
        IReadOnlyDictionary<string, Tensor> visualWeights, Tensor head, Tensor images, Tensor labels,
        ClipConfig config, int batchSize) =>
        Accuracy(visualWeights, head, new TaskView(images, labels), config, batchSize);

    /// <returns>Accuracy in percent over every image of <paramref name="images"/>, read in batches of
    /// <paramref name="batchSize"/>.</returns>
    public static double Accuracy(
        IReadOnlyDictionary<string, Tensor> visualWeights, Tensor head, ILabelledImageSet images, ClipConfig config, int batchSize)
    {
        using var noGrad = no_grad();
        long correct = 0, count = images.Count;
        for (long start = 0; start < count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            long length = Math.Min(batchSize, count - start);
            var batch = Preprocessing.Normalize(DevicePlacement.Like(images.LoadRange(start, length), head), config);
            var predictions = ZeroShotHead.Logits(ClipForward.EncodeImage(batch, visualWeights, config.Vision), head).argmax(1);
            correct += predictions.eq(DevicePlacement.Like(images.Labels.narrow(0, start, length), head)).sum().item<long>();
        }
        return 100.0 * correct / count;
    }
}

using Atlas.Models;

namespace Atlas.Bench;

/// <summary>
/// Floating-point operations of the image tower, counted as 2·m·n·k per matrix product (the convention behind a
/// machine's GFLOP/s peak); layer norms, softmax, activations and additions are left out, being a few per element.
/// </summary>
public static class TowerFlops
{
    /// <summary>FLOPs of one image through the tower and a head of <paramref name="classes"/> rows.</summary>
    public static double ForwardPerImage(VisionConfig vision, int classes)
    {
        double grid = Math.Pow(vision.ImageSize / vision.PatchSize, 2), tokens = grid + 1, width = vision.Width;
        double patchEmbedding = 2 * grid * vision.Channels * vision.PatchSize * vision.PatchSize * width;
        double perLayer =
            2 * tokens * width * 3 * width       // fused q/k/v projection
            + 2 * 2 * tokens * tokens * width    // QKᵀ and AV over all heads
            + 2 * tokens * width * width         // out_proj
            + 2 * 2 * tokens * width * width * vision.MlpRatio; // c_fc and c_proj
        return patchEmbedding + vision.Layers * perLayer + 2 * width * vision.EmbedDim + 2 * vision.EmbedDim * classes;
    }

    /// <summary>The tower's largest matrix product on a batch, [batch·tokens, W]·[W, r·W] (<c>c_fc</c>).</summary>
    public static (long M, long K, long N) WidestProduct(VisionConfig vision, int batch)
    {
        long tokens = (long)Math.Pow(vision.ImageSize / vision.PatchSize, 2) + 1;
        return (batch * tokens, vision.Width, (long)vision.Width * vision.MlpRatio);
    }

    /// <summary>FLOPs of one training step on <paramref name="batch"/> images: the forward and a backward of twice its
    /// cost (a gradient for the input and one for the weight of every product).</summary>
    public static double TrainingStep(VisionConfig vision, int classes, int batch) => 3 * batch * ForwardPerImage(vision, classes);
}

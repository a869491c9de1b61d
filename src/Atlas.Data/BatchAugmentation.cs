namespace Atlas.Data;

/// <summary>
/// The training augmentation of a batch: a random resized crop covering <see cref="ScaleMin"/>–<see cref="ScaleMax"/>
/// of the image area (aspect ratio 3/4–4/3), then a horizontal mirror with probability <see cref="FlipProbability"/>
/// (0: none). The paper's two recipes are (0.9, 1, 0) for fine-tuning and coefficient learning and (0.5, 1, 0.5) for
/// the few-shot and test-time views (atlas-method.md §1.3).
/// </summary>
public sealed record BatchAugmentation(double ScaleMin, double ScaleMax, double FlipProbability = 0)
{
    /// <summary>A crop over <paramref name="scale"/> without mirror, or none when no scale is given.</summary>
    public static BatchAugmentation? Crop((double Min, double Max)? scale, double flipProbability = 0) =>
        scale is { } s ? new BatchAugmentation(s.Min, s.Max, flipProbability) : null;
}

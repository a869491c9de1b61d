using Atlas.Data;
using Atlas.Pipeline.Specs;
using Atlas.Stages.Composition;
using Atlas.Training;
using static TorchSharp.torch;

namespace Atlas.Stages.Composition;

/// <summary>The training batches of a k-shot draw (docs/method.md §M4.3): the shots oversampled so an epoch has at least
/// <c>minBatchesPerEpoch</c> batches (the paper's int(10/r)+1 rule), strongly augmented (crop and flips).</summary>
internal static class ShotBatches
{
    /// <returns>The batch stream (seeded by <paramref name="seed"/>) and the steps of one epoch.</returns>
    public static (ImageBatches Batches, int StepsPerEpoch) For(ILabelledImageSet train, FewShotSet set, CoefficientTraining learn, int minBatchesPerEpoch, ulong seed) =>
        For(train, set, learn.Batch, minBatchesPerEpoch, learn.Crop(), StrongAugmentation.PaperFlipProbability, seed);

    /// <summary>The same oversampled stream with another augmentation: crop scale <paramref name="crop"/> and flips with
    /// probability <paramref name="flipProbability"/> (0: none).</summary>
    public static (ImageBatches Batches, int StepsPerEpoch) For(ILabelledImageSet train, FewShotSet set, int batch, int minBatchesPerEpoch,
        (double Min, double Max) crop, double flipProbability, ulong seed)
    {
        var positions = Oversampling.Repeat(set.Positions, batch, minBatchesPerEpoch);
        var shots = train.Subset([.. positions.Select(p => (long)p)]);
        var batches = new ImageBatches(shots, batch, BatchAugmentation.Crop(crop, flipProbability), unchecked((long)seed));
        return (batches, Math.Max(1, positions.Length / batch));
    }
}

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
    public static (ImageBatches Batches, int StepsPerEpoch) For(TaskView train, FewShotSet set, CoefficientTraining learn, int minBatchesPerEpoch, ulong seed)
    {
        var positions = Oversampling.Repeat(set.Positions, learn.Batch, minBatchesPerEpoch);
        var index = tensor(positions.Select(p => (long)p).ToArray());
        var batches = new ImageBatches(train.Images.index_select(0, index), train.Labels.index_select(0, index), learn.Batch,
            learn.Crop(), unchecked((long)seed), StrongAugmentation.PaperFlipProbability);
        return (batches, Math.Max(1, positions.Length / learn.Batch));
    }
}

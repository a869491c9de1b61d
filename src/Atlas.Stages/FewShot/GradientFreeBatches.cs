using Atlas.Data;
using Atlas.Pipeline.Specs;
using Atlas.Stages.Composition;
using Atlas.Training;

namespace Atlas.Stages.FewShot;

/// <summary>
/// The batches gradient-free aTLAS scores (docs/method.md §M3.5): the k shots oversampled exactly as for the gradient
/// variant (an epoch has at least <c>min_batches_per_epoch</c> batches), one pass per objective evaluation, augmented as
/// <see cref="GradientFreeSearch.Augmentation"/> says: by default as the release's <c>learn_coef_gfree.py</c> loader
/// (the training preprocessing's crop, <c>gradient_free.crop_scale</c>, without flips), or exactly the gradient
/// variant's stream.
/// </summary>
public static class GradientFreeBatches
{
    /// <param name="seed">The draw's seed, the gradient variant's: with <c>gradient</c> both see the same batches.</param>
    /// <returns>The batch stream and the steps of one pass.</returns>
    public static (ImageBatches Batches, int StepsPerPass) For(ILabelledImageSet train, FewShotSet set, FewShotSpec spec, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var search = spec.GradientFree;
        return search.Augmentation switch
        {
            GradientFreeAugmentation.Release => ShotBatches.For(train, set, spec.Learn.Batch, spec.MinBatchesPerEpoch,
                (search.CropScale[0], search.CropScale[1]), flipProbability: 0, seed),
            GradientFreeAugmentation.Gradient => ShotBatches.For(train, set, spec.Learn, spec.MinBatchesPerEpoch, seed),
            _ => throw new ArgumentOutOfRangeException(nameof(spec), search.Augmentation, "unknown gradient-free augmentation"),
        };
    }
}

using Atlas.Data;
using Atlas.Pipeline.Specs;
using Atlas.Stages.FewShot;
using Atlas.Testing;
using Atlas.Training;
using static TorchSharp.torch;

namespace Atlas.Stages.Tests;

/// <summary>The batches gradient-free aTLAS scores: the k shots oversampled like the gradient variant's, augmented by
/// the release's gradient-free loader (crop, no flips) by default, or the gradient variant's own stream.</summary>
public sealed class GradientFreeBatchesTests
{
    // Every train image is 0 on its left half and 1 on its right half. A crop of at least half the area with aspect
    // ratio in [3/4, 4/3] is wider than half the image, so it always holds the edge: an unflipped view has a darker
    // left half, a flipped view a darker right half.
    private const int Side = 14;

    [Fact]
    public void Release_augmentation_crops_the_oversampled_shots_without_flips()
    {
        using var scope = NewDisposeScope();
        using var train = HalfImages(count: 10);
        var set = new FewShotSet(1, 7, [2, 5], [0, 1]);
        var spec = Spec(GradientFreeAugmentation.Release);

        var (batches, steps) = GradientFreeBatches.For(train, set, spec, seed: 11);
        // 2 shots, batch 4: r = 0.5 < 10, so int(10 / 0.5) + 1 = 21 copies, 42 positions, ⌊42 / 4⌋ = 10 batches a pass.
        Assert.Equal(10, steps);
        var raw = train.Images[2];
        bool anyCropped = false;
        for (int step = 0; step < 3 * steps; step++)
        {
            var (images, labels) = batches.At(step);
            Assert.Equal(4, images.shape[0]);
            Assert.All(labels.data<long>().ToArray(), l => Assert.InRange(l, 0, 1));
            var (left, right) = HalfMeans(images);
            for (int i = 0; i < left.Length; i++) Assert.True(left[i] < right[i], $"step {step} image {i} is flipped");
            for (int i = 0; i < images.shape[0]; i++) anyCropped |= !images[i].allclose(raw, rtol: 0, atol: 1e-4);
        }
        Assert.True(anyCropped, "the release's loader crops (scale 0.9–1)");
    }

    [Fact]
    public void Gradient_augmentation_is_the_gradient_variants_stream()
    {
        using var scope = NewDisposeScope();
        using var train = HalfImages(count: 10);
        var set = new FewShotSet(1, 7, [2, 5], [0, 1]);
        var spec = Spec(GradientFreeAugmentation.Gradient);

        var (batches, steps) = GradientFreeBatches.For(train, set, spec, seed: 11);
        Assert.Equal(10, steps);
        // Built here from the protocol: the 42 oversampled positions, the learn crop 0.5–1, flips at 0.5, the same seed.
        var positions = tensor(Enumerable.Repeat(new long[] { 2, 5 }, 21).SelectMany(p => p).ToArray());
        var expected = new ImageBatches(train.Images.index_select(0, positions), train.Labels.index_select(0, positions), 4, (0.5, 1.0), 11, 0.5);
        int flipped = 0;
        for (int step = 0; step < 2 * steps; step++)
        {
            var (images, labels) = batches.At(step);
            Assert.True(TensorAssert.Identical(expected.At(step).Images, images));
            Assert.True(TensorAssert.Identical(expected.At(step).Labels, labels));
            var (left, right) = HalfMeans(images);
            flipped += left.Zip(right).Count(p => p.First > p.Second);
        }
        Assert.True(flipped > 0, "the few-shot augmentation flips");
    }

    private static FewShotSpec Spec(GradientFreeAugmentation augmentation) => new()
    {
        Targets = ["t"],
        Learn = new CoefficientTraining { Lr = 0.1, Epochs = 10, Batch = 4, Schedule = ScheduleKind.Cosine, CropScale = [0.5, 1.0] },
        GradientFree = new GradientFreeSearch { Augmentation = augmentation },
    };

    private static TaskView HalfImages(int count)
    {
        var image = cat([zeros(1, 1, Side, Side / 2), ones(1, 1, Side, Side / 2)], 3);
        return new TaskView(image.expand(count, 1, Side, Side).contiguous(), arange(count, dtype: ScalarType.Int64) % 2);
    }

    private static (double[] Left, double[] Right) HalfMeans(Tensor images) =>
        (images.narrow(3, 0, Side / 2).mean([1, 2, 3]).to(ScalarType.Float64).data<double>().ToArray(),
         images.narrow(3, Side / 2, Side / 2).mean([1, 2, 3]).to(ScalarType.Float64).data<double>().ToArray());
}

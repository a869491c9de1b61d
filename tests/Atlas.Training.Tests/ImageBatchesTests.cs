using Atlas.Data;
using static TorchSharp.torch;

namespace Atlas.Training.Tests;

public class ImageBatchesTests
{
    [Fact]
    public void A_step_batch_is_a_pure_function_of_seed_and_step()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        var images = rand([20, 1, 14, 14], generator: generator);
        var labels = arange(20, dtype: ScalarType.Int64) % 4;
        var original = images.clone();
        var batches = new ImageBatches(images, labels, batchSize: 6, cropScale: (0.3, 1.0), seed: 9);

        var (first, firstLabels) = batches.At(3);
        Assert.Equal([6L, 1, 14, 14], first.shape);
        Assert.Equal([6L], firstLabels.shape);
        // Other steps in between, in any order, and a fresh instance: step 3 is the same batch.
        batches.At(0);
        batches.At(11);
        var (again, againLabels) = batches.At(3);
        var (fresh, freshLabels) = new ImageBatches(images, labels, 6, (0.3, 1.0), seed: 9).At(3);
        Assert.True(TensorAssert.Identical(first, again));
        Assert.True(TensorAssert.Identical(firstLabels, againLabels));
        Assert.True(TensorAssert.Identical(first, fresh));
        Assert.True(TensorAssert.Identical(firstLabels, freshLabels));
        Assert.True(TensorAssert.Identical(original, images));

        // Other step or other seed: other batch.
        Assert.False(TensorAssert.Identical(first, batches.At(4).Images));
        Assert.False(TensorAssert.Identical(first, new ImageBatches(images, labels, 6, (0.3, 1.0), seed: 10).At(3).Images));
    }

    [Fact]
    public void Cropped_images_keep_their_labels()
    {
        using var scope = NewDisposeScope();
        // Image i is the constant (i + 1)/32, which any crop preserves, so each batch row reveals its source index.
        var images = (arange(1, 21, dtype: ScalarType.Float32) / 32).view(20, 1, 1, 1).expand(20, 1, 14, 14).contiguous();
        var labels = arange(20, dtype: ScalarType.Int64) % 3;
        var batches = new ImageBatches(images, labels, batchSize: 6, cropScale: (0.2, 1.0), seed: 1);
        var seen = new HashSet<long>();
        for (long step = 0; step < 10; step++)
        {
            var (batch, batchLabels) = batches.At(step);
            var means = TestSupport.Doubles(batch.mean([1, 2, 3]));
            var stepLabels = batchLabels.data<long>().ToArray();
            for (int k = 0; k < 6; k++)
            {
                long index = (long)Math.Round(means[k] * 32) - 1;
                Assert.InRange(index, 0, 19);
                Assert.Equal(index % 3, stepLabels[k]);
                seen.Add(index);
            }
        }
        Assert.Equal(20, seen.Count); // 60 draws over 3 passes visit every item
    }

    [Fact]
    public void The_parts_of_an_accumulated_step_are_drawn_once_and_together_are_the_whole_batch()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        var set = new CountingSet(new TaskView(rand([12, 1, 8, 8], generator: generator), arange(12, dtype: ScalarType.Int64)));
        var batches = new ImageBatches(set, batchSize: 6, new BatchAugmentation(0.5, 1.0), seed: 4);
        var (whole, wholeLabels) = batches.At(2);
        Assert.Equal(1, set.Loads);

        var parts = Enumerable.Range(0, 3).Select(micro => batches.At(2, micro, 3)).ToList();
        Assert.Equal(2, set.Loads); // one draw for the three parts of step 2
        Assert.True(TensorAssert.Identical(whole, cat(parts.Select(p => p.Images).ToArray(), 0)));
        Assert.True(TensorAssert.Identical(wholeLabels, cat(parts.Select(p => p.Labels).ToArray(), 0)));

        batches.At(3, 0, 3);
        batches.At(3, 1, 3);
        Assert.Equal(3, set.Loads); // another step: one more draw
    }

    /// <summary>An image set that counts the batches drawn from it.</summary>
    private sealed class CountingSet(ILabelledImageSet inner) : ILabelledImageSet
    {
        public int Loads { get; private set; }

        public int Count => inner.Count;

        public Tensor Labels => inner.Labels;

        public Tensor LoadRange(long start, long length) => inner.LoadRange(start, length);

        public Tensor LoadBatch(long[] indices, BatchAugmentation? augmentation, long seed, long step)
        {
            Loads++;
            return inner.LoadBatch(indices, augmentation, seed, step);
        }

        public ILabelledImageSet Subset(long[] indices) => inner.Subset(indices);

        public ILabelledImageSet DetachFromDisposeScope() => inner.DetachFromDisposeScope();

        public void Dispose() => inner.Dispose();
    }
}

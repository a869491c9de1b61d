using Atlas.Data.Datasets;
using static TorchSharp.torch;
using Atlas.Data.Images;

namespace Atlas.Data.Tests.Images;

public sealed class ImageBatchLoaderTests
{
    private static ChannelNormalization Clip => new(PillowFixtures.Mean, PillowFixtures.Std);

    private static LabelledImage[] Samples()
    {
        // Files in three formats plus in-memory images of assorted sizes, labels 100 + index.
        var samples = new List<LabelledImage>
        {
            new(new ImageFile(PillowFixtures.Input("rgb_64x48.png")), 100),
            new(new ImageFile(PillowFixtures.Input("rgb_160x120_420.jpg")), 101),
            new(new ImageFile(PillowFixtures.Input("rgb_61x45.ppm")), 102),
            new(new ImageFileCrop(PillowFixtures.Input("rgb_64x48.png"), 5, 3, 50, 40), 103),
        };
        for (int i = samples.Count; i < 11; i++)
        {
            int width = 20 + 3 * i, height = 30 - i;
            var pixels = new byte[width * height * 3];
            for (int p = 0; p < pixels.Length; p++)
            {
                pixels[p] = (byte)(p * 7 + i * 31);
            }
            samples.Add(new LabelledImage(new InMemoryImage(new RgbImage(width, height, pixels)), 100 + i));
        }
        return [.. samples];
    }

    private static readonly int[] Order = [7, 2, 10, 0, 5, 9, 1, 3, 8, 4, 6];

    private static List<(float[] Pixels, long[] Labels, int[] Indices)> Collect(ImageBatchLoader loader, int epoch)
    {
        var batches = new List<(float[], long[], int[])>();
        foreach (ImageBatch batch in loader.Batches(Order, epoch))
        {
            using (batch)
            {
                Assert.Equal(ScalarType.Float32, batch.Pixels.dtype);
                Assert.Equal(ScalarType.Int64, batch.Labels.dtype);
                batches.Add((batch.Pixels.data<float>().ToArray(), batch.Labels.data<long>().ToArray(), batch.SampleIndices.ToArray()));
            }
        }
        return batches;
    }

    [Fact]
    public void Batches_are_identical_for_one_and_three_workers_and_follow_the_order()
    {
        var transform = new ClipTrainTransform(16, TrainAugmentation.TipResizedCropFlip, Clip);
        LabelledImage[] samples = Samples();
        var serial = Collect(new ImageBatchLoader(samples, transform, new() { BatchSize = 4, Workers = 1, PrefetchBatches = 1, Seed = 5 }), epoch: 3);
        var parallel = Collect(new ImageBatchLoader(samples, transform, new() { BatchSize = 4, Workers = 3, PrefetchBatches = 2, Seed = 5 }), epoch: 3);

        Assert.Equal([4, 4, 3], serial.Select(b => b.Indices.Length));
        Assert.Equal(Order, serial.SelectMany(b => b.Indices));
        Assert.Equal(Order.Select(i => 100L + i), serial.SelectMany(b => b.Labels));
        for (int b = 0; b < serial.Count; b++)
        {
            Assert.Equal(serial[b].Pixels, parallel[b].Pixels);
            Assert.Equal(serial[b].Labels, parallel[b].Labels);
        }
        // Each sample is its own transform with its own (seed, epoch, index) draws.
        int values = 3 * 16 * 16;
        for (int k = 0; k < Order.Length; k++)
        {
            var expected = new float[values];
            transform.Apply(ImageDecoder.Decode(samples[Order[k]].Image), SampleRandom.For(5, 3, Order[k]), expected);
            Assert.Equal(expected, serial[k / 4].Pixels.AsSpan((k % 4) * values, values).ToArray());
        }
    }

    [Fact]
    public void Another_epoch_draws_other_augmentations()
    {
        var transform = new ClipTrainTransform(16, TrainAugmentation.TipResizedCropFlip, Clip);
        var loader = new ImageBatchLoader(Samples(), transform, new() { BatchSize = 11, Workers = 2, Seed = 5 });
        Assert.NotEqual(Collect(loader, epoch: 0)[0].Pixels, Collect(loader, epoch: 1)[0].Pixels);
    }

    [Fact]
    public void A_broken_image_surfaces_on_the_consumer_naming_its_file_after_the_good_batches()
    {
        using var folder = new TempDirectory();
        string broken = folder.File("broken.jpg");
        File.WriteAllBytes(broken, File.ReadAllBytes(PillowFixtures.Input("rgb_160x120_420.jpg"))[..300]);
        LabelledImage[] samples = Samples();
        samples[8] = new LabelledImage(new ImageFile(broken), 108); // position 8 of Order: the third batch
        var loader = new ImageBatchLoader(samples, new ClipEvalTransform(16, Clip), new() { BatchSize = 4, Workers = 3 });
        int received = 0;
        var error = Assert.Throws<ImageDecodeException>(() =>
        {
            foreach (ImageBatch batch in loader.Batches(Order, 0))
            {
                batch.Dispose();
                received++;
            }
        });
        Assert.Equal(2, received);
        Assert.Contains(broken, error.Message);
    }

    [Fact]
    public void While_the_consumer_holds_a_batch_exactly_the_prefetch_window_is_decoded_ahead()
    {
        // Batch size 1, prefetch 2: holding batch 0, batches 1 and 2 get decoded (the step need not wait for them),
        // and batch 3 does not start until the consumer takes the next one.
        var counting = new CountingTransform(new ClipEvalTransform(8, Clip));
        var loader = new ImageBatchLoader(Samples(), counting, new() { BatchSize = 1, Workers = 3, PrefetchBatches = 2 });
        using IEnumerator<ImageBatch> batches = loader.Batches(Order, 0).GetEnumerator();
        Assert.True(batches.MoveNext());
        batches.Current.Dispose();
        Assert.True(SpinWait.SpinUntil(() => counting.Applied == 3, TimeSpan.FromSeconds(20)));
        Thread.Sleep(300);
        Assert.Equal(3, counting.Applied);
        Assert.True(batches.MoveNext());
        batches.Current.Dispose();
        Assert.True(SpinWait.SpinUntil(() => counting.Applied == 4, TimeSpan.FromSeconds(20)));
    }

    private sealed class CountingTransform(IImageTransform inner) : IImageTransform
    {
        private int _applied;

        public int Applied => Volatile.Read(ref _applied);

        public int OutputSize => inner.OutputSize;

        public void Apply(RgbImage image, IAugmentationRandom random, Span<float> destination)
        {
            inner.Apply(image, random, destination);
            Interlocked.Increment(ref _applied);
        }
    }

    [Fact]
    public void Cancellation_stops_the_enumeration()
    {
        using var cancel = new CancellationTokenSource();
        var loader = new ImageBatchLoader(Samples(), new ClipEvalTransform(16, Clip), new() { BatchSize = 2, Workers = 2 });
        int received = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (ImageBatch batch in loader.Batches(Order, 0, cancel.Token))
            {
                batch.Dispose();
                received++;
                cancel.Cancel();
            }
        });
        Assert.Equal(1, received);
    }

    [Fact]
    public void Leaving_early_stops_the_workers_and_an_index_outside_the_samples_is_refused()
    {
        var loader = new ImageBatchLoader(Samples(), new ClipEvalTransform(16, Clip), new() { BatchSize = 1, Workers = 2, PrefetchBatches = 1 });
        using (ImageBatch first = loader.Batches(Order, 0).First())
        {
            Assert.Equal([7], first.SampleIndices);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => loader.Batches([0, 11], 0));
    }
}

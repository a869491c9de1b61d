using System.Threading.Channels;
using Atlas.Data.Datasets;
using static TorchSharp.torch;

namespace Atlas.Data.Images;

/// <summary>
/// Decodes and transforms a dataset's images on worker threads while the consumer trains: batches come out in the
/// sample order given, each one whole, while up to <see cref="ImageLoaderOptions.PrefetchBatches"/> later batches are
/// being filled. Every sample draws its augmentation from its own <see cref="SampleRandom"/> (run seed, epoch, dataset
/// index), so the output is identical for any worker count. An image that fails surfaces on the consumer's thread as
/// an <see cref="ImageDecodeException"/> naming its file, when its batch is reached; cancellation stops the workers.
/// </summary>
public sealed class ImageBatchLoader
{
    private readonly IReadOnlyList<LabelledImage> _samples;
    private readonly IImageTransform _transform;
    private readonly ImageLoaderOptions _options;

    /// <summary>A loader over <paramref name="samples"/> applying <paramref name="transform"/>.</summary>
    public ImageBatchLoader(IReadOnlyList<LabelledImage> samples, IImageTransform transform, ImageLoaderOptions options)
    {
        _samples = samples ?? throw new ArgumentNullException(nameof(samples));
        _transform = transform ?? throw new ArgumentNullException(nameof(transform));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize, nameof(options.BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Workers, nameof(options.Workers));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.PrefetchBatches, nameof(options.PrefetchBatches));
    }

    /// <summary>
    /// The batches of one epoch: <paramref name="order"/> lists dataset indices (a shuffled permutation, a subset, or
    /// 0..N−1), cut into batches of <see cref="ImageLoaderOptions.BatchSize"/>. Workers start on the first
    /// <c>MoveNext</c> and stop when the enumeration ends, is disposed early, fails or is cancelled.
    /// </summary>
    public IEnumerable<ImageBatch> Batches(IReadOnlyList<int> order, int epoch, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        foreach (int index in order)
        {
            if ((uint)index >= (uint)_samples.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(order), $"Sample index {index} is outside the {_samples.Count} samples.");
            }
        }
        return Run(order, epoch, cancellation);
    }

    private IEnumerable<ImageBatch> Run(IReadOnlyList<int> order, int epoch, CancellationToken cancellation)
    {
        int size = _transform.OutputSize;
        int sampleValues = 3 * size * size;
        int batchSize = _options.BatchSize;
        int batchCount = (order.Count + batchSize - 1) / batchSize;
        var filling = new BatchSlot[batchCount];
        for (int b = 0; b < batchCount; b++)
        {
            filling[b] = new BatchSlot(Math.Min(batchSize, order.Count - b * batchSize));
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        // The window: the consumer taking a batch lets one more be queued, so while it trains on batch b, batches
        // b + 1 … b + PrefetchBatches are being filled (and the buffers in memory stay bounded).
        using var window = new SemaphoreSlim(_options.PrefetchBatches);
        var work = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleWriter = true });

        Task dispatcher = Task.Run(async () =>
        {
            try
            {
                for (int b = 0; b < batchCount; b++)
                {
                    await window.WaitAsync(stop.Token).ConfigureAwait(false);
                    filling[b].Pixels = new float[filling[b].Count * sampleValues];
                    for (int k = b * batchSize; k < b * batchSize + filling[b].Count; k++)
                    {
                        work.Writer.TryWrite(k);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                work.Writer.TryComplete();
            }
        });

        var workers = new Task[_options.Workers];
        for (int w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Factory.StartNew(
                () => Work(work.Reader, order, epoch, filling, batchSize, sampleValues, stop.Token),
                stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        try
        {
            for (int b = 0; b < batchCount; b++)
            {
                BatchSlot slot = filling[b];
                // Waits for the batch or the caller's cancellation, whichever comes first.
                Task.WaitAny([slot.Done.Task], cancellation);
                cancellation.ThrowIfCancellationRequested();
                float[] pixels = slot.Done.Task.GetAwaiter().GetResult();
                int first = b * batchSize;
                var indices = new int[slot.Count];
                var labels = new long[slot.Count];
                for (int i = 0; i < slot.Count; i++)
                {
                    indices[i] = order[first + i];
                    labels[i] = _samples[indices[i]].Label;
                }
                var batch = new ImageBatch(
                    tensor(pixels, [slot.Count, 3, size, size]),
                    tensor(labels, [slot.Count]),
                    indices);
                // The batch's buffer is copied into the tensor: release it and open the window for the next batch.
                slot.Pixels = null;
                window.Release();
                yield return batch;
            }
        }
        finally
        {
            stop.Cancel();
            work.Writer.TryComplete();
            try
            {
                Task.WaitAll([dispatcher, .. workers]);
            }
            catch (AggregateException error) when (error.InnerExceptions.All(e => e is OperationCanceledException))
            {
            }
        }
    }

    private void Work(ChannelReader<int> reader, IReadOnlyList<int> order, int epoch, BatchSlot[] filling, int batchSize, int sampleValues, CancellationToken stop)
    {
        try
        {
            while (reader.WaitToReadAsync(stop).AsTask().GetAwaiter().GetResult())
            {
                while (reader.TryRead(out int position))
                {
                    if (stop.IsCancellationRequested)
                    {
                        return;
                    }
                    BatchSlot slot = filling[position / batchSize];
                    if (slot.Error is null)
                    {
                        int index = order[position];
                        LabelledImage sample = _samples[index];
                        try
                        {
                            RgbImage image = ImageDecoder.Decode(sample.Image);
                            Span<float> destination = slot.Pixels.AsSpan((position % batchSize) * sampleValues, sampleValues);
                            _transform.Apply(image, SampleRandom.For(_options.Seed, epoch, index), destination);
                        }
                        catch (ImageDecodeException error)
                        {
                            slot.Fail(error);
                        }
                        catch (Exception error) when (error is not OperationCanceledException)
                        {
                            slot.Fail(new ImageDecodeException(ImageDecodeException.Describe(sample.Image),
                                $"transforming sample {index} failed: {error.Message}", error));
                        }
                    }
                    slot.CompleteOne();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One batch being filled: its buffer, how many samples are still pending, and the first error.</summary>
    private sealed class BatchSlot(int count)
    {
        private int _pending = count;
        private Exception? _error;

        public int Count { get; } = count;

        public float[]? Pixels { get; set; }

        public Exception? Error => Volatile.Read(ref _error);

        public TaskCompletionSource<float[]> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Fail(Exception error) => Interlocked.CompareExchange(ref _error, error, null);

        public void CompleteOne()
        {
            if (Interlocked.Decrement(ref _pending) == 0)
            {
                if (Error is { } error)
                {
                    Done.TrySetException(error);
                }
                else
                {
                    Done.TrySetResult(Pixels!);
                }
            }
        }
    }
}

namespace Atlas.Data.Images;

/// <summary>How <see cref="ImageBatchLoader"/> batches and parallelises decoding.</summary>
public sealed record ImageLoaderOptions
{
    /// <summary>Samples per batch; the last batch of an epoch holds the remainder.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Decoding threads. Results do not depend on it.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Batches decoded ahead of the consumer (besides the one it holds): while the training step runs on one batch,
    /// up to this many more are being filled, so the step does not wait when decoding keeps up.
    /// </summary>
    public int PrefetchBatches { get; init; } = 2;

    /// <summary>Run seed of the per-sample augmentation draws (<see cref="SampleRandom"/>).</summary>
    public ulong Seed { get; init; }
}

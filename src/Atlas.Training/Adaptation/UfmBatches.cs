using Atlas.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Training.Adaptation;

/// <summary>
/// UFM's two-stream batches (the released TwoStreamBatchSampler, docs/method.md §M5): every batch is B − ⌊B/4⌋ images from one
/// seeded pass over the unlabelled set (96 of 128), followed by ⌊B/4⌋ from an endless, reshuffled stream over the trusted
/// set (32 of 128). An epoch is ⌊|unlabelled| / (B − ⌊B/4⌋)⌋ steps and every epoch draws a fresh unlabelled permutation;
/// the trusted stream runs on across epochs. Any step's batch is a pure function of (seed, step), like
/// <see cref="BatchSchedule"/>, so a resumed run sees the same batches.
/// </summary>
public sealed class UfmBatches
{
    private readonly int[] _unlabelled;
    private readonly int[] _trusted;
    private readonly BatchSchedule _unlabelledPasses;
    private readonly BatchSchedule _trustedStream;

    /// <param name="unlabelled">Image indices of the unlabelled set (<see cref="TrustedSet.Unlabelled"/>).</param>
    /// <param name="trusted">Image indices of the trusted set (<see cref="TrustedSet.Trusted"/>); disjoint from the unlabelled ones.</param>
    /// <param name="batchSize">B ≥ 4.</param>
    public UfmBatches(IReadOnlyList<int> unlabelled, IReadOnlyList<int> trusted, int batchSize, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(unlabelled);
        ArgumentNullException.ThrowIfNull(trusted);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 4);
        _unlabelled = [.. unlabelled];
        _trusted = [.. trusted];
        if (_unlabelled.Concat(_trusted).Any(i => i < 0)) throw new ArgumentException("image indices must be ≥ 0");
        if (_unlabelled.Concat(_trusted).Distinct().Count() != _unlabelled.Length + _trusted.Length)
            throw new ArgumentException("the unlabelled and trusted indices must be distinct and disjoint");
        if (_trusted.Length == 0) throw new ArgumentException("the trusted set is empty", nameof(trusted));
        BatchSize = batchSize;
        TrustedPerBatch = batchSize / 4;
        UnlabelledPerBatch = batchSize - TrustedPerBatch;
        if (_unlabelled.Length < UnlabelledPerBatch)
            throw new ArgumentException($"{_unlabelled.Length} unlabelled images cannot fill one batch part of {UnlabelledPerBatch}", nameof(unlabelled));
        StepsPerEpoch = _unlabelled.Length / UnlabelledPerBatch;
        Seed = seed;
        // Independent streams derived from one seed; the unlabelled schedule is only used for its pass permutations.
        _unlabelledPasses = new BatchSchedule(_unlabelled.Length, UnlabelledPerBatch, DeterministicRng.DeriveSeed(seed, 0));
        _trustedStream = new BatchSchedule(_trusted.Length, TrustedPerBatch, DeterministicRng.DeriveSeed(seed, 1));
    }

    public int BatchSize { get; }

    /// <summary>B − ⌊B/4⌋: the leading positions of a batch.</summary>
    public int UnlabelledPerBatch { get; }

    /// <summary>⌊B/4⌋: the trailing positions of a batch.</summary>
    public int TrustedPerBatch { get; }

    /// <summary>⌊|unlabelled| / UnlabelledPerBatch⌋ (the last, incomplete part of a pass is dropped).</summary>
    public int StepsPerEpoch { get; }

    public ulong Seed { get; }

    /// <summary>Image indices of the batch at <paramref name="step"/> (0-based): unlabelled ones first, trusted ones last.</summary>
    public int[] At(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        var batch = new int[BatchSize];
        var pass = _unlabelledPasses.EpochPermutation(step / StepsPerEpoch);
        int offset = (int)(step % StepsPerEpoch) * UnlabelledPerBatch;
        for (int i = 0; i < UnlabelledPerBatch; i++) batch[i] = _unlabelled[pass[offset + i]];
        var stream = _trustedStream.BatchAt(step);
        for (int i = 0; i < TrustedPerBatch; i++) batch[UnlabelledPerBatch + i] = _trusted[stream[i]];
        return batch;
    }

    /// <summary>Bool [B]: true on the trusted (last ⌊B/4⌋) positions of every batch.</summary>
    public Tensor TrustedMask()
    {
        using var scope = NewDisposeScope();
        using Scalar batchSize = BatchSize.ToScalar(), unlabelled = UnlabelledPerBatch.ToScalar();
        return arange(batchSize).ge(unlabelled).MoveToOuterDisposeScope();
    }
}

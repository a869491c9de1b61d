using Atlas.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Training.Adaptation;

/// <summary>
/// UFM's two-stream batches over one split (the released TwoStreamBatchSampler, docs/method.md §M5): every batch is B − t
/// images from one seeded pass over the unlabelled set, followed by t from an endless, reshuffled stream over the trusted
/// set (paper: t = ⌊B/4⌋, 96 + 32 of 128). A pass is ⌊|unlabelled| / (B − t)⌋ steps and every pass draws a fresh
/// unlabelled permutation; the trusted stream runs on across passes. Any step's batch is a pure function of (seed, step),
/// like <see cref="BatchSchedule"/>. <see cref="UfmSchedule"/> builds one per trusted set (per epoch, as the ssl branch
/// builds a new sampler every epoch).
/// </summary>
public sealed class UfmBatches
{
    private readonly int[] _unlabelled;
    private readonly int[] _trusted;
    private readonly BatchSchedule _unlabelledPasses;
    private readonly BatchSchedule _trustedStream;

    /// <param name="unlabelled">Image indices of the unlabelled set (<see cref="TrustedSet.Unlabelled"/>).</param>
    /// <param name="trusted">Image indices of the trusted set (<see cref="TrustedSet.Trusted"/>); disjoint from the unlabelled ones.</param>
    /// <param name="batchSize">B ≥ 2.</param>
    /// <param name="trustedPerBatch">t, 1 ≤ t &lt; B: the trailing trusted positions of every batch.</param>
    public UfmBatches(IReadOnlyList<int> unlabelled, IReadOnlyList<int> trusted, int batchSize, int trustedPerBatch, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(unlabelled);
        ArgumentNullException.ThrowIfNull(trusted);
        ArgumentOutOfRangeException.ThrowIfLessThan(trustedPerBatch, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(trustedPerBatch, batchSize);
        _unlabelled = [.. unlabelled];
        _trusted = [.. trusted];
        if (_unlabelled.Concat(_trusted).Any(i => i < 0)) throw new ArgumentException("image indices must be ≥ 0");
        if (_unlabelled.Concat(_trusted).Distinct().Count() != _unlabelled.Length + _trusted.Length)
            throw new ArgumentException("the unlabelled and trusted indices must be distinct and disjoint");
        if (_trusted.Length == 0) throw new ArgumentException("the trusted set is empty", nameof(trusted));
        BatchSize = batchSize;
        TrustedPerBatch = trustedPerBatch;
        UnlabelledPerBatch = batchSize - TrustedPerBatch;
        if (_unlabelled.Length < UnlabelledPerBatch)
            throw new ArgumentException($"{_unlabelled.Length} unlabelled images cannot fill one batch part of {UnlabelledPerBatch}", nameof(unlabelled));
        StepsPerPass = _unlabelled.Length / UnlabelledPerBatch;
        Seed = seed;
        // Independent streams derived from one seed; the unlabelled schedule is only used for its pass permutations.
        _unlabelledPasses = new BatchSchedule(_unlabelled.Length, UnlabelledPerBatch, DeterministicRng.DeriveSeed(seed, 0));
        _trustedStream = new BatchSchedule(_trusted.Length, TrustedPerBatch, DeterministicRng.DeriveSeed(seed, 1));
    }

    public int BatchSize { get; }

    /// <summary>B − t: the leading positions of a batch.</summary>
    public int UnlabelledPerBatch { get; }

    /// <summary>t: the trailing positions of a batch.</summary>
    public int TrustedPerBatch { get; }

    /// <summary>⌊|unlabelled| / UnlabelledPerBatch⌋ (the last, incomplete part of a pass is dropped).</summary>
    public int StepsPerPass { get; }

    public ulong Seed { get; }

    /// <summary>Image indices of the batch at <paramref name="step"/> (0-based): unlabelled ones first, trusted ones last.</summary>
    public int[] At(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        var batch = new int[BatchSize];
        var pass = _unlabelledPasses.EpochPermutation(step / StepsPerPass);
        int offset = (int)(step % StepsPerPass) * UnlabelledPerBatch;
        for (int i = 0; i < UnlabelledPerBatch; i++) batch[i] = _unlabelled[pass[offset + i]];
        var stream = _trustedStream.BatchAt(step);
        for (int i = 0; i < TrustedPerBatch; i++) batch[UnlabelledPerBatch + i] = _trusted[stream[i]];
        return batch;
    }
}

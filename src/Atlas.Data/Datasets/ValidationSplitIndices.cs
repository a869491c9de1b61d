namespace Atlas.Data.Datasets;

/// <summary>
/// A seeded random validation split as stored beside the results (<see cref="ValidationSplitFile"/>): which samples
/// of a dataset's training split (of <see cref="TrainCount"/> samples, in the reader's order) the atlas code holds out
/// for validation. The train part is every other index, in the same permutation's order.
/// </summary>
/// <param name="Dataset">The dataset whose training split was cut.</param>
/// <param name="TrainCount">n, the training split's size before the cut.</param>
/// <param name="Seed">The generator seed (the atlas code's 0).</param>
/// <param name="ValidationIndices">The held-out indices into the training split, in permutation order (v of them).</param>
public sealed record ValidationSplitIndices(PaperDataset Dataset, int TrainCount, long Seed, IReadOnlyList<int> ValidationIndices)
{
    /// <summary>v, the number of validation samples.</summary>
    public int ValidationCount => ValidationIndices.Count;

    /// <summary>The atlas code's split of a training split of <paramref name="trainCount"/> samples (seed 0, v = min(⌊0.1 n⌋, 5000)).</summary>
    public static ValidationSplitIndices Atlas(PaperDataset dataset, int trainCount)
    {
        var (_, held) = SeededRandomSplit.Split(trainCount, SeededRandomSplit.ValidationSize(trainCount), SeededRandomSplit.AtlasSeed);
        return new ValidationSplitIndices(dataset, trainCount, SeededRandomSplit.AtlasSeed, held);
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Data.Datasets;

/// <summary>
/// The aTLAS code's seeded random splits, reproduced index for index: <c>torch.utils.data.random_split(dataset,
/// [kept, held], generator=torch.Generator().manual_seed(seed))</c> draws <c>randperm(n, generator)</c> and cuts it in
/// order, the first <c>kept</c> entries for the first part and the rest for the second. libtorch's CPU
/// <c>randperm</c> with a seeded generator is what TorchSharp calls, so the permutation is the one Python sees
/// (checked against torch 1.13 for n from 10 to 1,281,167 and seeds 0, 1, 42). Two uses in the atlas code:
/// the validation carve-out of every dataset without its own validation split (<see cref="ValidationSize"/>,
/// <c>src/datasets/registry.py</c> <c>split_train_into_train_val</c>) and Caltech's 80/20 train/test split
/// (<see cref="CaltechTrainSize"/>, <c>src/datasets/caltech.py</c>).
/// </summary>
public static class SeededRandomSplit
{
    /// <summary>The generator seed of every random split in the atlas code (its <c>seed=0</c> defaults).</summary>
    public const long AtlasSeed = 0;

    /// <summary>The validation fraction of <c>get_dataset</c>'s <c>val_fraction</c> default.</summary>
    public const double ValidationFraction = 0.1;

    /// <summary>The cap of <c>get_dataset</c>'s <c>max_val_samples</c> default.</summary>
    public const int MaxValidationSamples = 5000;

    /// <summary>The train fraction of Caltech101/256's <c>train_fraction</c> default.</summary>
    public const double CaltechTrainFraction = 0.8;

    /// <summary>
    /// The validation size carved from a training split of <paramref name="trainCount"/> samples:
    /// <c>min(int(n * 0.1), 5000)</c>, the product in double precision as Python takes it. The atlas code asserts both
    /// parts are non-empty; so does this (an <see cref="ArgumentOutOfRangeException"/> below 10 samples).
    /// </summary>
    public static int ValidationSize(int trainCount)
    {
        int held = Math.Min((int)(trainCount * ValidationFraction), MaxValidationSamples);
        if (held <= 0 || held >= trainCount)
        {
            throw new ArgumentOutOfRangeException(nameof(trainCount),
                $"A training split of {trainCount} samples leaves no validation samples (int(n * 0.1) = {held}); the atlas code asserts at least one.");
        }
        return held;
    }

    /// <summary>Caltech's train size, <c>int(n * 0.8)</c> in double precision; the rest is the test split.</summary>
    public static int CaltechTrainSize(int count) => (int)(count * CaltechTrainFraction);

    /// <summary><c>torch.randperm(count, generator=torch.Generator().manual_seed(seed))</c> as a list of indices.</summary>
    public static int[] Permutation(int count, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0)
        {
            return [];
        }
        using var generator = new Generator(unchecked((ulong)seed));
        using Tensor permutation = randperm(count, dtype: ScalarType.Int64, generator: generator);
        long[] values = permutation.data<long>().ToArray();
        return Array.ConvertAll(values, v => checked((int)v));
    }

    /// <summary>
    /// <c>random_split(range(count), [count − held, held], generator=Generator().manual_seed(seed))</c>: the indices of
    /// the first part (<c>Kept</c>) and of the second (<c>Held</c>), each in the permutation's order, which is the order
    /// the atlas code's <c>Subset</c> objects yield samples in.
    /// </summary>
    public static (int[] Kept, int[] Held) Split(int count, int held, long seed)
    {
        if (held < 0 || held > count)
        {
            throw new ArgumentOutOfRangeException(nameof(held), $"Cannot hold out {held} of {count} samples.");
        }
        int[] permutation = Permutation(count, seed);
        return (permutation[..(count - held)], permutation[(count - held)..]);
    }

    /// <summary>
    /// The atlas code's <c>XVal</c> split of a training list: validation = the last <see cref="ValidationSize"/>
    /// entries of the seed-0 permutation, train = the others, both in permutation order.
    /// </summary>
    public static (IReadOnlyList<T> Train, IReadOnlyList<T> Validation) CarveValidation<T>(IReadOnlyList<T> train, long seed = AtlasSeed)
    {
        var (kept, held) = Split(train.Count, ValidationSize(train.Count), seed);
        return (Pick(train, kept), Pick(train, held));
    }

    /// <summary>The entries of <paramref name="items"/> at <paramref name="indices"/>, in that order.</summary>
    public static IReadOnlyList<T> Pick<T>(IReadOnlyList<T> items, IReadOnlyList<int> indices)
    {
        var picked = new T[indices.Count];
        for (int i = 0; i < picked.Length; i++)
        {
            picked[i] = items[indices[i]];
        }
        return picked;
    }
}

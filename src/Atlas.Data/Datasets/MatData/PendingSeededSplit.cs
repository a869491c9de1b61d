using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Data.Datasets.MatData;

/// <summary>
/// The paper's random validation split of a training split that has no validation part of its own (the atlas code's
/// <c>split_train_into_train_val</c>): <c>random_split(train, [n − v, v], Generator().manual_seed(0))</c> with
/// v = min(⌊0.1·n⌋, 5000). <c>random_split</c> draws <c>randperm(n)</c> from the seeded generator and gives the first
/// n − v indices to training and the last v to validation, each in permutation order. The same libtorch draws the
/// permutation here, so the indices are the reference's (pinned against torch 1.13 in the tests). Kept behind this
/// seam until it is unified with the other readers' copy.
/// </summary>
internal static class PendingSeededSplit
{
    /// <summary>The paper's validation fraction (<c>val_fraction=0.1</c>).</summary>
    public const double ValidationFraction = 0.1;

    /// <summary>The paper's cap on the validation size (<c>max_val_samples=5000</c>).</summary>
    public const int MaxValidationSize = 5000;

    /// <summary>The generator seed (<c>seed=0</c>).</summary>
    public const ulong Seed = 0;

    /// <summary>v = min(⌊n·0.1⌋, 5000), the product in double precision as Python's <c>int(total_size * val_fraction)</c>.</summary>
    public static int ValidationSize(int count) => Math.Min((int)Math.Floor(count * ValidationFraction), MaxValidationSize);

    /// <summary>The training and validation indices into a training split of <paramref name="count"/> samples.</summary>
    public static (int[] Train, int[] Validation) Indices(int count)
    {
        int validation = ValidationSize(count);
        if (validation <= 0 || validation >= count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"A training split of {count} samples is too small for the paper's random validation split (v = {validation}).");
        }
        using var generator = new Generator(Seed);
        using Tensor permutation = randperm(count, generator: generator);
        long[] order = permutation.data<long>().ToArray();
        var all = Array.ConvertAll(order, i => checked((int)i));
        return (all[..(count - validation)], all[(count - validation)..]);
    }

    /// <summary>Splits <paramref name="train"/> into the paper's training and validation parts.</summary>
    public static (IReadOnlyList<T> Train, IReadOnlyList<T> Validation) Split<T>(IReadOnlyList<T> train)
    {
        (int[] trainIndices, int[] validationIndices) = Indices(train.Count);
        return (Array.ConvertAll(trainIndices, i => train[i]), Array.ConvertAll(validationIndices, i => train[i]));
    }
}

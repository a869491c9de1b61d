namespace Atlas.Data;

/// <summary>
/// Draws stratified, disjoint partitions of a source with <see cref="DeterministicRng"/>, so a split depends only on
/// the labels, the sizes and the seed.
/// </summary>
public static class SplitPlanner
{
    // Drawn test first and pretrain last, each from what remains: changing the train or pretrain size never changes
    // test or val, and a larger train set contains the smaller one of the same seed.
    private static readonly string[] DrawOrder = [SourceSplit.Test, SourceSplit.Val, SourceSplit.Train, SourceSplit.Pretrain];

    /// <summary>
    /// Splits the images of <paramref name="sourceName"/> (whose labels are <paramref name="labels"/>) into partitions of
    /// <paramref name="sizes"/>. Each partition's class mix follows the source's as closely as whole counts allow.
    /// </summary>
    /// <exception cref="ArgumentException">A size is negative or the sizes add up to more images than the source has.</exception>
    public static SourceSplit Plan(string sourceName, IReadOnlyList<long> labels, SplitSizes sizes, ulong seed)
    {
        if (sizes.Pretrain < 0 || sizes.Train < 0 || sizes.Val < 0 || sizes.Test < 0)
        {
            throw new ArgumentException($"Split of '{sourceName}': sizes must not be negative, got {Describe(sizes)}.", nameof(sizes));
        }
        if (sizes.Total > labels.Count)
        {
            throw new ArgumentException(
                $"Split of '{sourceName}': the source has {labels.Count} images but the split asks for {Describe(sizes)} = {sizes.Total}.",
                nameof(sizes));
        }

        // Each class's members, shuffled by a stream derived from the class label: a class's order does not depend
        // on which other classes exist.
        long[] classes = labels.Distinct().Order().ToArray();
        var members = classes.Select(label =>
        {
            int[] indices = Enumerable.Range(0, labels.Count).Where(i => labels[i] == label).ToArray();
            new DeterministicRng(DeterministicRng.DeriveSeed(seed, unchecked((ulong)label))).Shuffle<int>(indices);
            return indices;
        }).ToArray();

        var quotas = Quotas(members.Select(list => list.Length).ToArray(), sizes);
        int[] taken = new int[classes.Length];
        var partitions = new Dictionary<string, int[]>();
        foreach (string partition in DrawOrder)
        {
            var indices = new List<int>(sizes.Of(partition));
            for (int c = 0; c < classes.Length; c++)
            {
                indices.AddRange(members[c].AsSpan(taken[c], quotas[partition][c]));
                taken[c] += quotas[partition][c];
            }
            indices.Sort();
            partitions[partition] = [.. indices];
        }
        return new SourceSplit(sourceName, seed, partitions);
    }

    /// <summary>
    /// How many images of each class each partition takes, for a source whose classes (in label order) have
    /// <paramref name="classCounts"/> images: the counts <see cref="Plan"/> draws, known without the images (the spec
    /// validation checks a few-shot size against them). Partitions are apportioned in draw order, each over what the
    /// earlier ones left.
    /// </summary>
    /// <exception cref="ArgumentException">The sizes add up to more images than the classes hold.</exception>
    public static IReadOnlyDictionary<string, int[]> Quotas(IReadOnlyList<int> classCounts, SplitSizes sizes)
    {
        if (sizes.Total > classCounts.Sum(c => (long)c))
            throw new ArgumentException($"the sizes {Describe(sizes)} = {sizes.Total} exceed the {classCounts.Sum(c => (long)c)} images", nameof(sizes));
        int[] left = [.. classCounts];
        var quotas = new Dictionary<string, int[]>();
        foreach (string partition in DrawOrder)
        {
            quotas[partition] = Apportion(sizes.Of(partition), left);
            for (int c = 0; c < left.Length; c++) left[c] -= quotas[partition][c];
        }
        return quotas;
    }

    // Largest-remainder apportionment of `total` over classes in proportion to what each has left. No quota exceeds
    // its class's remainder: floor(total·r/R) < r whenever there is a fractional part, and total ≤ R.
    private static int[] Apportion(int total, int[] remaining)
    {
        long remainingTotal = remaining.Sum(count => (long)count);
        int[] quotas = new int[remaining.Length];
        if (total == 0)
        {
            return quotas;
        }
        long[] fractions = new long[remaining.Length];
        long assigned = 0;
        for (int c = 0; c < remaining.Length; c++)
        {
            long share = (long)total * remaining[c];
            quotas[c] = (int)(share / remainingTotal);
            fractions[c] = share % remainingTotal;
            assigned += quotas[c];
        }
        // Ties go to the lower class index, so the result is fully determined.
        foreach (int c in Enumerable.Range(0, remaining.Length).OrderByDescending(c => fractions[c]).ThenBy(c => c).Take((int)(total - assigned)))
        {
            quotas[c]++;
        }
        return quotas;
    }

    private static string Describe(SplitSizes sizes) =>
        $"{sizes.Pretrain} pretrain + {sizes.Train} train + {sizes.Val} val + {sizes.Test} test";
}

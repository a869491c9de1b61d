namespace Atlas.Data;

/// <summary>
/// Draws k-shot training sets (docs/method.md §M4.3, utils.get_n_shots): for every class, k distinct images chosen uniformly at
/// random among that class's images of the task's train partition. The train partition is disjoint from val and test
/// by construction (<see cref="SplitPlanner"/>), so a k-shot set never overlaps the data used for selection or reporting.
/// Unlike the reference (no seeding, labels scanned from at most ~1001 shuffled batches), every class's full list is
/// used and the draw is fixed by the seed.
/// </summary>
public static class FewShotSampler
{
    // Separates these streams from other users of the same seed (split planning, batch orders): "FEWSHOTS" in ASCII.
    private const ulong StreamTag = 0x46455753484F5453UL;

    /// <summary>
    /// Draws a <paramref name="shots"/>-shot set from the images whose task labels are <paramref name="trainLabels"/>
    /// (one entry per train-partition image, in partition order). Each class's generator is derived from
    /// (<paramref name="seed"/>, <paramref name="shots"/>, class), so any two (shots, seed) pairs are independent draws
    /// (a 2-shot set does not contain the 1-shot set of the same seed), and a class's draw does not depend on which
    /// other classes exist. Positions come back ascending.
    /// </summary>
    /// <param name="classCount">
    /// When given, the classes are 0..classCount−1 and every label must lie in that range, so a class missing from the
    /// train partition is reported as having 0 images; when null, the classes are the distinct labels present.
    /// </param>
    /// <exception cref="ArgumentException">
    /// A class has fewer than <paramref name="shots"/> images (the message names each such class and its count), a label
    /// lies outside 0..classCount−1, or there are no labels.
    /// </exception>
    public static FewShotSet Sample(IReadOnlyList<long> trainLabels, int shots, ulong seed, int? classCount = null)
    {
        ArgumentNullException.ThrowIfNull(trainLabels);
        if (shots <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(shots), $"A few-shot set needs at least 1 shot per class, got {shots}.");
        }
        if (classCount is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(classCount), $"Class count must be positive, got {classCount}.");
        }
        if (trainLabels.Count == 0)
        {
            throw new ArgumentException("Cannot draw a few-shot set from an empty train partition.", nameof(trainLabels));
        }

        var members = new SortedDictionary<long, List<int>>();
        if (classCount is int count)
        {
            for (long label = 0; label < count; label++)
            {
                members[label] = [];
            }
        }
        for (int position = 0; position < trainLabels.Count; position++)
        {
            long label = trainLabels[position];
            if (!members.TryGetValue(label, out List<int>? list))
            {
                if (classCount is not null)
                {
                    throw new ArgumentException(
                        $"Train label {label} at position {position} lies outside the task's classes 0..{classCount - 1}.", nameof(trainLabels));
                }
                members[label] = list = [];
            }
            list.Add(position);
        }

        var tooFew = members.Where(entry => entry.Value.Count < shots).ToList();
        if (tooFew.Count > 0)
        {
            throw new ArgumentException(
                $"A {shots}-shot set needs {shots} train images per class, but "
                + string.Join(", ", tooFew.Select(entry => $"class {entry.Key} has {entry.Value.Count}")) + ".",
                nameof(trainLabels));
        }

        ulong setSeed = DeterministicRng.DeriveSeed(DeterministicRng.DeriveSeed(seed, StreamTag), (ulong)shots);
        var chosen = new List<int>(members.Count * shots);
        foreach ((long label, List<int> positions) in members)
        {
            var rng = new DeterministicRng(DeterministicRng.DeriveSeed(setSeed, unchecked((ulong)label)));
            int[] pool = [.. positions];
            // Partial Fisher–Yates: the first k slots end up a uniformly random k-subset, in k draws.
            for (int i = 0; i < shots; i++)
            {
                int j = i + rng.NextInt(pool.Length - i);
                (pool[i], pool[j]) = (pool[j], pool[i]);
            }
            chosen.AddRange(pool.AsSpan(0, shots));
        }
        chosen.Sort();
        return new FewShotSet(shots, seed, chosen, chosen.Select(position => trainLabels[position]).ToArray());
    }
}

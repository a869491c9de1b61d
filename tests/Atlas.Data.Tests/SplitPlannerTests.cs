namespace Atlas.Data.Tests;

public sealed class SplitPlannerTests
{
    // 1,000 images over 4 unequal classes: 400, 300, 200, 100.
    private static readonly long[] Labels = Enumerable.Range(0, 1000).Select(i => (long)((i % 10) switch { < 4 => 0, < 7 => 1, < 9 => 2, _ => 3 })).ToArray();

    private static readonly SplitSizes Sizes = new(Pretrain: 300, Train: 200, Val: 100, Test: 250);

    [Fact]
    public void Same_seed_gives_the_same_split_and_another_seed_a_different_one()
    {
        SourceSplit first = SplitPlanner.Plan("toy", Labels, Sizes, seed: 7);
        SourceSplit again = SplitPlanner.Plan("toy", Labels, Sizes, seed: 7);
        SourceSplit other = SplitPlanner.Plan("toy", Labels, Sizes, seed: 8);

        Assert.Equal(first.ToJson(), again.ToJson());
        foreach (string partition in SourceSplit.PartitionNames)
        {
            Assert.NotEqual(first.Indices(partition), other.Indices(partition));
        }
    }

    [Fact]
    public void Partitions_have_the_requested_sizes_are_sorted_and_disjoint()
    {
        SourceSplit split = SplitPlanner.Plan("toy", Labels, Sizes, seed: 1);

        var all = new List<int>();
        foreach (string partition in SourceSplit.PartitionNames)
        {
            int[] indices = split.Indices(partition);
            Assert.Equal(Sizes.Of(partition), indices.Length);
            Assert.Equal(indices.Order(), indices);
            all.AddRange(indices);
        }
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.All(all, index => Assert.InRange(index, 0, Labels.Length - 1));
    }

    [Fact]
    public void Each_partition_follows_the_class_mix_of_the_source()
    {
        SourceSplit split = SplitPlanner.Plan("toy", Labels, Sizes, seed: 3);
        double[] shares = [0.4, 0.3, 0.2, 0.1];

        foreach (string partition in SourceSplit.PartitionNames)
        {
            int[] indices = split.Indices(partition);
            for (int label = 0; label < shares.Length; label++)
            {
                int count = indices.Count(index => Labels[index] == label);
                Assert.InRange(count, (shares[label] * indices.Length) - 1, (shares[label] * indices.Length) + 1);
            }
        }
    }

    [Fact]
    public void Growing_train_or_pretrain_leaves_test_and_val_unchanged_and_nests_train()
    {
        SourceSplit small = SplitPlanner.Plan("toy", Labels, new SplitSizes(0, 100, 100, 250), seed: 5);
        SourceSplit large = SplitPlanner.Plan("toy", Labels, new SplitSizes(300, 200, 100, 250), seed: 5);

        Assert.Equal(small.Indices(SourceSplit.Test), large.Indices(SourceSplit.Test));
        Assert.Equal(small.Indices(SourceSplit.Val), large.Indices(SourceSplit.Val));
        Assert.Subset(large.Indices(SourceSplit.Train).ToHashSet(), small.Indices(SourceSplit.Train).ToHashSet());
        Assert.Empty(small.Indices(SourceSplit.Pretrain));
    }

    [Fact]
    public void Sizes_beyond_the_source_name_the_source_and_the_numbers()
    {
        var error = Assert.Throws<ArgumentException>(() => SplitPlanner.Plan("toy", Labels, new SplitSizes(600, 200, 100, 250), seed: 1));

        Assert.Contains("'toy'", error.Message);
        Assert.Contains("1000 images", error.Message);
        Assert.Contains("600 pretrain + 200 train + 100 val + 250 test = 1150", error.Message);
    }

    [Fact]
    public void Json_round_trips_and_the_hash_is_stable()
    {
        SourceSplit split = SplitPlanner.Plan("toy", Labels, Sizes, seed: 9);

        SourceSplit read = SourceSplit.FromJson(split.ToJson(), "split.json");

        Assert.Equal(split.ToJson(), read.ToJson());
        Assert.Equal(split.ContentSha256, read.ContentSha256);
        Assert.Equal("toy", read.SourceName);
        Assert.Equal(9UL, read.Seed);
        Assert.NotEqual(split.ContentSha256, SplitPlanner.Plan("toy", Labels, Sizes, seed: 10).ContentSha256);
    }

    [Fact]
    public void Canonical_json_and_hash_are_pinned()
    {
        // Pins the RNG, the allocation and the JSON layout (values cross-checked with an independent Python port):
        // a change here changes every split artifact.
        long[] labels = [0, 1, 0, 1, 0, 1, 2, 2];
        SourceSplit split = SplitPlanner.Plan("pinned", labels, new SplitSizes(2, 2, 2, 2), seed: 42);

        Assert.Equal(PinnedJson, split.ToJson());
        Assert.Equal(PinnedSha256, split.ContentSha256);
    }

    [Fact]
    public void Overlapping_partitions_in_json_are_rejected_naming_the_origin()
    {
        const string json = """{"source":"toy","seed":1,"partitions":{"pretrain":[],"train":[1,2],"val":[2],"test":[]}}""";

        var error = Assert.Throws<InvalidDataException>(() => SourceSplit.FromJson(json, "runs/x/split.json"));

        Assert.Contains("runs/x/split.json", error.Message);
        Assert.Contains("index 2 of partition 'val'", error.Message);
    }

    private const string PinnedJson =
        """{"source":"pinned","seed":42,"partitions":{"pretrain":[5,6],"train":[0,7],"val":[1,2],"test":[3,4]}}""";

    private const string PinnedSha256 = "75acfa5538212d8fa0199a3d0c9099741ac7538e0f195a6ee7862deffd569169";

    [Fact]
    public void Quotas_match_a_hand_apportionment_and_the_partitions_plan_draws()
    {
        // Ten classes of 1,200 (fashion_mnist's mini subset), 64/64/32/32. By hand, largest remainder with ties to the
        // lower class, drawn test, val, train, pretrain: test 3.2 each → 3 + the 2 left to classes 0, 1; val from
        // 1196,1196,1197×8 → 3 each + 2 to classes 2, 3 (remainder .2005 beats .1978); train from 1193×4, 1194×6 →
        // 6 each + 4 to classes 4..7; pretrain takes what is left in proportion: 7 7 6 6 6 6 6 6 7 7.
        int[] classImages = Enumerable.Repeat(1200, 10).ToArray();
        var sizes = new SplitSizes(Pretrain: 64, Train: 64, Val: 32, Test: 32);

        var quotas = SplitPlanner.Quotas(classImages, sizes);

        Assert.Equal([4, 4, 3, 3, 3, 3, 3, 3, 3, 3], quotas[SourceSplit.Test]);
        Assert.Equal([3, 3, 4, 4, 3, 3, 3, 3, 3, 3], quotas[SourceSplit.Val]);
        Assert.Equal([6, 6, 6, 6, 7, 7, 7, 7, 6, 6], quotas[SourceSplit.Train]);
        Assert.Equal([7, 7, 6, 6, 6, 6, 6, 6, 7, 7], quotas[SourceSplit.Pretrain]);
        long[] labels = Enumerable.Range(0, 12000).Select(i => (long)(i % 10)).ToArray();
        SourceSplit split = SplitPlanner.Plan("fashion", labels, sizes, seed: 5);
        foreach (string partition in SourceSplit.PartitionNames)
        {
            int[] planned = new int[10];
            foreach (int index in split.Indices(partition)) planned[labels[index]]++;
            Assert.Equal(quotas[partition], planned);
        }
        Assert.Throws<ArgumentException>(() => SplitPlanner.Quotas(classImages, sizes with { Train = 12000 }));
    }
}

using System.Text.Json;

namespace Atlas.Data.Tests;

public sealed class FewShotSamplerTests
{
    // 5 classes of unequal size (30, 24, 18, 12, 6 images), interleaved as a real train partition would be.
    private static readonly long[] TrainLabels = Enumerable.Range(0, 90)
        .Select(i => (long)((i % 15) switch { < 5 => 0, < 9 => 1, < 12 => 2, < 14 => 3, _ => 4 }))
        .ToArray();

    [Fact]
    public void Every_class_gets_exactly_k_distinct_valid_positions_with_matching_labels()
    {
        FewShotSet set = FewShotSampler.Sample(TrainLabels, shots: 4, seed: 1);

        Assert.Equal(4, set.Shots);
        Assert.Equal(1UL, set.Seed);
        Assert.Equal(5, set.ClassCount);
        Assert.Equal(20, set.Positions.Count);
        Assert.Equal(set.Positions.Order(), set.Positions);
        Assert.Equal(set.Positions.Count, set.Positions.Distinct().Count());
        Assert.All(set.Positions, position => Assert.InRange(position, 0, TrainLabels.Length - 1));
        Assert.Equal(set.Positions.Select(position => TrainLabels[position]), set.Labels);
        Assert.All(set.Labels.GroupBy(label => label), group => Assert.Equal(4, group.Count()));
        Assert.Equal([0L, 1, 2, 3, 4], set.Labels.Distinct().Order());
    }

    [Fact]
    public void A_class_with_exactly_k_images_gives_all_of_them()
    {
        FewShotSet set = FewShotSampler.Sample(TrainLabels, shots: 6, seed: 3);

        int[] classFour = Enumerable.Range(0, TrainLabels.Length).Where(i => TrainLabels[i] == 4).ToArray();
        Assert.Equal(classFour, set.Positions.Where((_, i) => set.Labels[i] == 4));
    }

    [Fact]
    public void Same_seed_and_k_give_the_same_set_and_other_seeds_or_k_other_sets()
    {
        FewShotSet first = FewShotSampler.Sample(TrainLabels, shots: 2, seed: 7);
        FewShotSet again = FewShotSampler.Sample(TrainLabels, shots: 2, seed: 7);
        FewShotSet otherSeed = FewShotSampler.Sample(TrainLabels, shots: 2, seed: 8);
        FewShotSet oneShot = FewShotSampler.Sample(TrainLabels, shots: 1, seed: 7);

        Assert.Equal(first, again);
        Assert.Equal(first.GetHashCode(), again.GetHashCode());
        Assert.NotEqual(first.Positions, otherSeed.Positions);
        // Independent draws per (k, seed): the 1-shot set is not simply part of the 2-shot set of the same seed.
        Assert.False(oneShot.Positions.All(first.Positions.Contains));
    }

    [Fact]
    public void Each_image_of_a_class_is_equally_likely()
    {
        // One class of 5 images, 1 shot, 2,000 seeds: each image ~400 times (σ ≈ 18).
        long[] labels = [0, 0, 0, 0, 0];
        int[] hits = new int[5];
        for (ulong seed = 0; seed < 2000; seed++)
        {
            hits[FewShotSampler.Sample(labels, shots: 1, seed).Positions[0]]++;
        }

        Assert.All(hits, count => Assert.InRange(count, 300, 500));
    }

    [Fact]
    public void Too_few_images_name_each_short_class_and_its_count()
    {
        var error = Assert.Throws<ArgumentException>(() => FewShotSampler.Sample(TrainLabels, shots: 16, seed: 1));

        Assert.Contains("16-shot", error.Message);
        Assert.Contains("class 3 has 12", error.Message);
        Assert.Contains("class 4 has 6", error.Message);
        Assert.DoesNotContain("class 2", error.Message);
    }

    [Fact]
    public void With_a_class_count_a_class_absent_from_train_is_reported_with_zero_images()
    {
        var missing = Assert.Throws<ArgumentException>(() => FewShotSampler.Sample(TrainLabels, shots: 1, seed: 1, classCount: 6));
        var outside = Assert.Throws<ArgumentException>(() => FewShotSampler.Sample(TrainLabels, shots: 1, seed: 1, classCount: 4));

        Assert.Contains("class 5 has 0", missing.Message);
        Assert.Contains("Train label 4", outside.Message);
        Assert.Contains("0..3", outside.Message);
        Assert.Equal(FewShotSampler.Sample(TrainLabels, 2, 9), FewShotSampler.Sample(TrainLabels, 2, 9, classCount: 5));
    }

    [Fact]
    public void Invalid_arguments_are_rejected_with_a_reason()
    {
        Assert.Contains("at least 1 shot", Assert.Throws<ArgumentOutOfRangeException>(() => FewShotSampler.Sample(TrainLabels, 0, 1)).Message);
        Assert.Contains("empty train partition", Assert.Throws<ArgumentException>(() => FewShotSampler.Sample(Array.Empty<long>(), 1, 1)).Message);
    }

    [Fact]
    public void Positions_come_only_from_the_train_partition_so_never_from_val_or_test()
    {
        // Source of 600 images over 10 classes; the k-shot set is drawn from the train partition's labels alone.
        long[] sourceLabels = Enumerable.Range(0, 600).Select(i => (long)(i % 10)).ToArray();
        SourceSplit split = SplitPlanner.Plan("toy", sourceLabels, new SplitSizes(Pretrain: 100, Train: 200, Val: 100, Test: 100), seed: 4);
        int[] train = split.Indices(SourceSplit.Train);

        FewShotSet set = FewShotSampler.Sample(train.Select(index => sourceLabels[index]).ToArray(), shots: 8, seed: 4);

        int[] sourceIndices = set.Positions.Select(position => train[position]).ToArray();
        Assert.Equal(80, sourceIndices.Length);
        Assert.Equal(set.Labels, sourceIndices.Select(index => sourceLabels[index]));
        Assert.Empty(sourceIndices.Intersect(split.Indices(SourceSplit.Val)));
        Assert.Empty(sourceIndices.Intersect(split.Indices(SourceSplit.Test)));
        Assert.Empty(sourceIndices.Intersect(split.Indices(SourceSplit.Pretrain)));
    }

    [Fact]
    public void The_set_round_trips_through_json_and_cannot_be_mutated()
    {
        FewShotSet set = FewShotSampler.Sample(TrainLabels, shots: 2, seed: 5);

        string json = JsonSerializer.Serialize(set);
        FewShotSet? read = JsonSerializer.Deserialize<FewShotSet>(json);

        Assert.StartsWith("{\"Shots\":2,\"Seed\":5,\"Positions\":[", json);
        Assert.Equal(set, read);
        var camel = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
        Assert.Equal(set, JsonSerializer.Deserialize<FewShotSet>(JsonSerializer.Serialize(set, camel), camel));
        Assert.Throws<NotSupportedException>(() => ((IList<int>)set.Positions)[0] = 1);
    }

    [Fact]
    public void Constructor_rejects_sets_that_are_not_k_per_class_or_not_ascending()
    {
        var unsorted = Assert.Throws<ArgumentException>(() => new FewShotSet(1, 0, [3, 1], [0L, 1L]));
        var uneven = Assert.Throws<ArgumentException>(() => new FewShotSet(2, 0, [1, 2, 3], [0L, 0L, 1L]));
        var mismatch = Assert.Throws<ArgumentException>(() => new FewShotSet(1, 0, [1, 2], [0L]));

        Assert.Contains("entry 1 is 1", unsorted.Message);
        Assert.Contains("class 1 has 1", uneven.Message);
        Assert.Contains("2 positions and 1 labels", mismatch.Message);
    }
}

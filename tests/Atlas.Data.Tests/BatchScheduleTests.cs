namespace Atlas.Data.Tests;

public sealed class BatchScheduleTests
{
    [Fact]
    public void Batches_depend_only_on_seed_and_step()
    {
        var schedule = new BatchSchedule(itemCount: 50, batchSize: 8, seed: 4);
        var resumed = new BatchSchedule(itemCount: 50, batchSize: 8, seed: 4);

        int[][] forward = Enumerable.Range(0, 20).Select(step => schedule.BatchAt(step)).ToArray();

        // A resumed run asks for later steps first and gets the same batches.
        for (int step = 19; step >= 0; step--)
        {
            Assert.Equal(forward[step], resumed.BatchAt(step));
        }
        Assert.NotEqual(forward[0], new BatchSchedule(50, 8, seed: 5).BatchAt(0));
    }

    [Fact]
    public void Every_pass_visits_each_item_once_even_across_batch_boundaries()
    {
        var schedule = new BatchSchedule(itemCount: 50, batchSize: 8, seed: 1);

        // 25 steps of 8 = 200 stream positions = exactly 4 passes of 50.
        int[] stream = Enumerable.Range(0, 25).SelectMany(step => schedule.BatchAt(step)).ToArray();

        for (int pass = 0; pass < 4; pass++)
        {
            int[] visited = stream[(pass * 50)..((pass + 1) * 50)];
            Assert.Equal(Enumerable.Range(0, 50), visited.Order());
            Assert.Equal(schedule.EpochPermutation(pass), visited);
        }
        Assert.NotEqual(schedule.EpochPermutation(0), schedule.EpochPermutation(1));
    }

    [Fact]
    public void Batch_larger_than_the_data_spans_several_passes()
    {
        var schedule = new BatchSchedule(itemCount: 3, batchSize: 7, seed: 2);

        int[] batch = schedule.BatchAt(1);

        Assert.Equal(7, batch.Length);
        Assert.Equal(
            schedule.EpochPermutation(2)[1..].Concat(schedule.EpochPermutation(3)).Concat(schedule.EpochPermutation(4)[..2]),
            batch);
    }

    [Fact]
    public void Fresh_draws_are_distinct_within_a_step_and_independent_across_steps()
    {
        // AdaMerging re-shuffles its test loader at every step. With 4 items and batches of 2, a fresh draw is one of the
        // 6 pairs with equal chance, so two consecutive draws are disjoint (the complement pair) with probability 1/6.
        // Passes over the data make steps 2k and 2k + 1 the two halves of one permutation: always disjoint.
        var schedule = new BatchSchedule(itemCount: 4, batchSize: 2, seed: 3);
        const int Pairs = 1200;
        int disjoint = 0;
        for (int k = 0; k < Pairs; k++)
        {
            int[] first = schedule.FreshDrawAt(2 * k), second = schedule.FreshDrawAt(2 * k + 1);
            Assert.Equal(2, first.Distinct().Count());
            Assert.All(first.Concat(second), item => Assert.InRange(item, 0, 3));
            if (!first.Intersect(second).Any()) disjoint++;
        }
        // Binomial(1200, 1/6): standard deviation 0.011; 0.045 is four of them.
        Assert.InRange((double)disjoint / Pairs, 1.0 / 6 - 0.045, 1.0 / 6 + 0.045);
        Assert.Equal(1.0, Enumerable.Range(0, 100).Average(k => schedule.BatchAt(2 * k).Intersect(schedule.BatchAt(2 * k + 1)).Any() ? 0.0 : 1.0));
        Assert.Equal(schedule.FreshDrawAt(5), schedule.At(5, BatchSampling.FreshShuffle));
        Assert.Throws<InvalidOperationException>(() => new BatchSchedule(itemCount: 3, batchSize: 4, seed: 1).FreshDrawAt(0));
    }
}

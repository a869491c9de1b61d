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
}

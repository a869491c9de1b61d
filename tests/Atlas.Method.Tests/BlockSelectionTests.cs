using Atlas.Method.Composition;
using static Atlas.Method.Tests.Fixtures;
using static TorchSharp.torch;

namespace Atlas.Method.Tests;

/// <summary>Gradient-ranked task-vector selection (docs/method.md §M3.4) on hand-made informativeness tables.</summary>
public class BlockSelectionTests
{
    // 3 tasks × 4 blocks; task 1 is best on average, but each block has its own ranking, with a tie in block 3.
    private static readonly double[,] Informativeness =
    {
        { 5, 0, 1, 2 },
        { 1, 4, 3, 2 },
        { 3, 2, 0, 2 },
    };

    [Fact]
    public void Blockwise_ranks_the_tasks_per_block_and_breaks_ties_by_task_order()
    {
        var table = BlockSelection.Blockwise(Informativeness, 2);
        Assert.Equal(new[,] { { 0, 1, 1, 0 }, { 2, 2, 0, 1 } }, table);
        var all = BlockSelection.Blockwise(Informativeness, 3);
        for (int j = 0; j < 4; j++)
            Assert.Equal([0, 1, 2], Enumerable.Range(0, 3).Select(i => all[i, j]).Order());
    }

    [Fact]
    public void Whole_vectors_are_ranked_by_mean_informativeness()
    {
        // Means: 2, 2.5, 1.75.
        Assert.Equal([1, 0], BlockSelection.WholeVectors(Informativeness, 2));
        Assert.Equal([1], BlockSelection.WholeVectors(Informativeness, 1));
    }

    [Fact]
    public void Budgets_outside_the_pool_and_bad_values_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BlockSelection.Blockwise(Informativeness, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => BlockSelection.WholeVectors(Informativeness, 4));
        var negative = (double[,])Informativeness.Clone();
        negative[2, 1] = -1;
        Assert.Contains("non-negative", Assert.Throws<ArgumentException>(() => BlockSelection.Blockwise(negative, 1)).Message);
        negative[2, 1] = double.NaN;
        Assert.Throws<ArgumentException>(() => BlockSelection.WholeVectors(negative, 1));
    }

    [Fact]
    public void A_blockwise_table_mixes_the_pool_block_by_block()
    {
        using var scope = NewDisposeScope();
        var pretrained = Pretrained();
        var vectors = Enumerable.Range(0, 3).Select(t => ($"task{t}", (IReadOnlyDictionary<string, Tensor>)RandomTaskVector(pretrained, 20 + t))).ToList();
        using var pool = new TaskVectorPool(pretrained, Blocks, vectors);
        var informativeness = new double[3, Blocks.Count];
        for (int j = 0; j < Blocks.Count; j++) informativeness[j % 3, j] = 1; // block j's best task is j mod 3
        using var mixed = pool.Mix(["mixed"], BlockSelection.Blockwise(informativeness, 1));
        for (int j = 0; j < Blocks.Count; j++)
            Assert.True(TensorAssert.Identical(pool.Stack(j)[j % 3], mixed.Stack(j)[0]));
    }
}

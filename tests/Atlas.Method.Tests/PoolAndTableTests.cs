using Atlas.Method.Composition;
using static Atlas.Method.Tests.Fixtures;
using static TorchSharp.torch;

namespace Atlas.Method.Tests;

public class PoolAndTableTests
{
    [Fact]
    public void Pool_stacks_task_vectors_by_block_name()
    {
        using var scope = NewDisposeScope();
        var pretrained = Pretrained();
        var tau1 = RandomTaskVector(pretrained, 11);
        var tau2 = RandomTaskVector(pretrained, 12);
        // Reversed key order and a half-precision task vector: still aligned by name, stored as float32.
        var reversed = tau2.Reverse().ToDictionary(p => p.Key, p => p.Value.to(ScalarType.Float16));
        using var pool = new TaskVectorPool(pretrained, Blocks, [("one", tau1), ("two", reversed)]);
        Assert.Equal(Blocks, pool.BlockNames);
        Assert.Equal(["one", "two"], pool.TaskNames);
        Assert.Equal(1, pool.IndexOfTask("two"));
        for (int j = 0; j < pool.BlockCount; j++)
        {
            var stack = pool.Stack(j);
            Assert.Equal([2L, .. pretrained[Blocks[j]].shape], stack.shape);
            Assert.Equal(ScalarType.Float32, stack.dtype);
            Assert.False(stack.requires_grad);
            Assert.True(TensorAssert.Identical(tau1[Blocks[j]], stack[0]));
            Assert.True(TensorAssert.Identical(reversed[Blocks[j]].to(ScalarType.Float32), stack[1]));
        }
        Assert.Equal(pretrained.Values.Sum(w => w.numel()), pool.ElementCount);
    }

    [Fact]
    public void Missing_or_misshapen_blocks_name_the_task_and_block()
    {
        using var scope = NewDisposeScope();
        var pretrained = Pretrained();
        var good = RandomTaskVector(pretrained, 11);
        var missing = RandomTaskVector(pretrained, 12);
        missing.Remove("visual.transformer.resblocks.1.mlp.c_fc.bias");
        var error = Assert.Throws<KeyNotFoundException>(() => new TaskVectorPool(pretrained, Blocks, [("cars", good), ("dtd", missing)]));
        Assert.Contains("'dtd'", error.Message);
        Assert.Contains("visual.transformer.resblocks.1.mlp.c_fc.bias", error.Message);

        var misshapen = RandomTaskVector(pretrained, 13);
        misshapen["visual.conv1.weight"] = zeros(3, 3);
        var shapeError = Assert.Throws<ArgumentException>(() => new TaskVectorPool(pretrained, Blocks, [("cars", good), ("svhn", misshapen)]));
        Assert.Contains("'svhn'", shapeError.Message);
        Assert.Contains("visual.conv1.weight", shapeError.Message);

        var unknown = Assert.Throws<KeyNotFoundException>(() => new TaskVectorPool(pretrained, [.. Blocks, "visual.nope"], [("cars", good)]));
        Assert.Contains("visual.nope", unknown.Message);
        Assert.Throws<ArgumentException>(() => new TaskVectorPool(pretrained, Blocks, [("cars", good), ("cars", good)]));
        Assert.Throws<ArgumentException>(() => new TaskVectorPool(pretrained, [Blocks[0], Blocks[0]], [("cars", good)]));
    }

    [Fact]
    public void Mixed_pools_take_each_block_from_the_chosen_task()
    {
        using var scope = NewDisposeScope();
        var pretrained = Pretrained();
        using var pool = Pool(pretrained, RandomTaskVector(pretrained, 11), RandomTaskVector(pretrained, 12), RandomTaskVector(pretrained, 13));
        var table = new int[2, pool.BlockCount];
        for (int j = 0; j < pool.BlockCount; j++) (table[0, j], table[1, j]) = (j % 3, (j + 1) % 3);
        using var mixed = pool.Mix(["m0", "m1"], table);
        for (int j = 0; j < pool.BlockCount; j++)
            for (int i = 0; i < 2; i++)
                Assert.True(TensorAssert.Identical(pool.Stack(j)[table[i, j]], mixed.Stack(j)[i]));
        using var selected = pool.SelectTasks([2]);
        Assert.Equal(["task2"], selected.TaskNames);
        Assert.True(TensorAssert.Identical(pool.Stack(5)[2], selected.Stack(5)[0]));
    }

    [Fact]
    public void Coefficient_table_labels_every_block_in_canonical_order()
    {
        using var scope = NewDisposeScope();
        string[] tasks = ["cars", "dtd"];
        using var layerwise = CoefficientLayout.Layerwise(Blocks);
        var coefficients = arange(2 * layerwise.GroupCount, dtype: ScalarType.Float32).view(2, layerwise.GroupCount);
        var table = CoefficientTable.From(tasks, layerwise, coefficients);
        Assert.Equal(Blocks, table.BlockNames);
        Assert.Equal(tasks, table.TaskNames);
        Assert.Equal(1, table.Partitions);
        for (int t = 0; t < 2; t++)
            for (int j = 0; j < Blocks.Count; j++)
                Assert.Equal(t * layerwise.GroupCount + layerwise.GroupOf(j), table.Value(t, j));
        var rows = table.Rows();
        Assert.Equal(2 * Blocks.Count, rows.Count);
        Assert.Equal(new CoefficientRow("dtd", 1, Blocks[1], CoefficientLayout.EmbeddingGroup, 0, 4 + 2, true), rows[Blocks.Count + 1]);
        Assert.Equal(new CoefficientRow("dtd", 2, "visual.proj", CoefficientLayout.OutputGroup, 0, 4 + 3, true), rows[Blocks.Count + 2]);
        Assert.Equal(7, CoefficientTable.Columns.Count);
        var matrix = table.Matrix();
        Assert.Equal(2, matrix.GetLength(0));
        Assert.Equal(Blocks.Count, matrix.GetLength(1));

        var shapes = Blocks.Select(b => Pretrained()[b].shape).ToArray();
        using var partitioned = CoefficientLayout.Partitioned(Blocks, shapes, 3, seed: 1, blocks: PartitionBlocks.MatricesOnly);
        var lambda = arange(2 * Blocks.Count * 3, dtype: ScalarType.Float32).view(2, Blocks.Count, 3);
        var partTable = CoefficientTable.From(tasks, partitioned, lambda);
        Assert.Equal(3, partTable.Partitions);
        Assert.Equal((1 * Blocks.Count + 4) * 3 + 2, partTable.Value(1, 4, 2));
        Assert.Equal(2 * Blocks.Count * 3, partTable.Rows().Count);
        Assert.Equal(shapes[0].Length == 2, partTable.IsAdapted(0));
        Assert.Throws<ArgumentException>(() => CoefficientTable.From(["one"], partitioned, lambda));
    }
}

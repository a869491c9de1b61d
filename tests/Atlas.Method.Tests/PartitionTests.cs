using Atlas.Method.Composition;
using Atlas.Models;
using static Atlas.Method.Tests.Fixtures;
using static TorchSharp.torch;

namespace Atlas.Method.Tests;

public class PartitionTests
{
    private static readonly (string Name, long[] Shape)[] MiniVisual =
        [.. ClipParameterNames.Shapes(ClipConfig.Mini).Where(p => p.Name.StartsWith(ClipParameterNames.VisualPrefix, StringComparison.Ordinal))];

    private static CoefficientLayout MiniLayout(int k, long seed, PartitionScope scope = PartitionScope.PerTensor,
        PartitionBlocks blocks = PartitionBlocks.All) =>
        CoefficientLayout.Partitioned([.. MiniVisual.Select(p => p.Name)], [.. MiniVisual.Select(p => p.Shape)], k, seed, scope, blocks);

    private static int Index(string name) => Array.FindIndex(MiniVisual, p => p.Name == name);

    [Fact]
    public void One_partition_equals_blockwise_exactly()
    {
        using var scope = NewDisposeScope();
        var pretrained = Pretrained();
        using var pool = Pool(pretrained, RandomTaskVector(pretrained, 11), RandomTaskVector(pretrained, 12));
        using var blockwise = CoefficientLayout.Blockwise(pool.BlockNames);
        using var single = CoefficientLayout.Partitioned(pool.BlockNames, pool.BlockShapes, 1, seed: 3);
        using var generator = new TorchSharp.torch.Generator(4);
        var coefficients = randn([2, pool.BlockCount], generator: generator);
        var a = WeightComposer.Compose(pretrained, pool, blockwise, coefficients);
        var b = WeightComposer.Compose(pretrained, pool, single, coefficients.unsqueeze(-1).clone());
        AssertAllIdentical(a, b);
        var images = Images(2);
        Assert.True(TensorAssert.Identical(Encode(images, a), Encode(images, b)));
        Assert.Equal([2L, pool.BlockCount, 1], single.CoefficientShape(2));
    }

    [Fact]
    public void Partition_is_reproducible_from_its_seed_and_differs_for_another()
    {
        using var a = MiniLayout(4, seed: 7);
        using var b = MiniLayout(4, seed: 7);
        using var c = MiniLayout(4, seed: 8);
        for (int j = 0; j < MiniVisual.Length; j++) Assert.True(TensorAssert.Identical(a.Assignment(j)!, b.Assignment(j)!), MiniVisual[j].Name);
        int fc = Index("visual.transformer.resblocks.0.mlp.c_fc.weight");
        Assert.False(TensorAssert.Identical(a.Assignment(fc)!, c.Assignment(fc)!));
        Assert.Equal(ScalarType.Int32, a.Assignment(fc)!.dtype);
        Assert.Equal(MiniVisual[fc].Shape, a.Assignment(fc)!.shape);
    }

    [Fact]
    public void Per_shape_scope_shares_assignments_between_equal_shapes_and_per_tensor_does_not()
    {
        int out0 = Index("visual.transformer.resblocks.0.attn.out_proj.weight");
        int out1 = Index("visual.transformer.resblocks.1.attn.out_proj.weight");
        int proj = Index("visual.proj"); // [64, 64] as well
        int fc0 = Index("visual.transformer.resblocks.0.mlp.c_fc.weight");
        int fc2 = Index("visual.transformer.resblocks.2.mlp.c_fc.weight");
        using var perShape = MiniLayout(3, seed: 1, PartitionScope.PerShape);
        using var perTensor = MiniLayout(3, seed: 1, PartitionScope.PerTensor);
        Assert.True(TensorAssert.Identical(perShape.Assignment(out0)!, perShape.Assignment(out1)!));
        Assert.True(TensorAssert.Identical(perShape.Assignment(out0)!, perShape.Assignment(proj)!));
        Assert.True(TensorAssert.Identical(perShape.Assignment(fc0)!, perShape.Assignment(fc2)!));
        Assert.False(TensorAssert.Identical(perShape.Assignment(out0)!, perShape.Assignment(fc0)!.narrow(0, 0, 64)));
        Assert.False(TensorAssert.Identical(perTensor.Assignment(out0)!, perTensor.Assignment(out1)!));
        Assert.False(TensorAssert.Identical(perTensor.Assignment(out0)!, perTensor.Assignment(proj)!));
        Assert.False(TensorAssert.Identical(perTensor.Assignment(fc0)!, perTensor.Assignment(fc2)!));
    }

    [Fact]
    public void Matrices_only_leaves_other_blocks_at_pretrained_whatever_the_coefficients()
    {
        using var scope = NewDisposeScope();
        var pretrained = Pretrained();
        using var pool = Pool(pretrained, RandomTaskVector(pretrained, 11), RandomTaskVector(pretrained, 12));
        using var layout = CoefficientLayout.Partitioned(pool.BlockNames, pool.BlockShapes, 4, seed: 2,
            PartitionScope.PerShape, PartitionBlocks.MatricesOnly);
        using var generator = new TorchSharp.torch.Generator(5);
        var coefficients = (randn(layout.CoefficientShape(2), generator: generator) * 3).requires_grad_(true);
        var composed = WeightComposer.Compose(pretrained, pool, layout, coefficients);
        for (int j = 0; j < pool.BlockCount; j++)
        {
            string name = pool.BlockNames[j];
            bool matrix = pool.BlockShapes[j].Length == 2;
            Assert.Equal(matrix, layout.IsAdapted(j));
            Assert.Equal(matrix, layout.Assignment(j) is not null);
            Assert.True(matrix != TensorAssert.Identical(pretrained[name], composed[name]), name);
        }
        Assert.Contains(pool.BlockShapes, s => s.Length == 1);
        Assert.Contains(pool.BlockShapes, s => s.Length == 4);

        // Coefficients of unadapted blocks receive zero gradient.
        Encode(Images(3), composed).square().sum().backward();
        var gradient = coefficients.grad!;
        for (int j = 0; j < pool.BlockCount; j++)
            Assert.Equal(layout.IsAdapted(j), gradient.select(1, j).abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Partitions_are_roughly_balanced()
    {
        const int k = 4;
        using var layout = MiniLayout(k, seed: 11);
        var total = new long[k];
        long elements = 0;
        for (int j = 0; j < MiniVisual.Length; j++)
        {
            var assignment = layout.Assignment(j)!;
            var counts = bincount(assignment.flatten().to(ScalarType.Int64), minlength: k).data<long>().ToArray();
            for (int part = 0; part < k; part++) total[part] += counts[part];
            elements += assignment.numel();
            if (assignment.numel() >= 16384)
                Assert.All(counts, c => Assert.InRange(c, assignment.numel() / k * 0.9, assignment.numel() / k * 1.1));
        }
        Assert.All(total, c => Assert.InRange(c, elements / k * 0.98, elements / k * 1.02));
        Assert.Equal(0, layout.Assignment(0)!.min().item<int>());
        Assert.True(Enumerable.Range(0, MiniVisual.Length).All(j => layout.Assignment(j)!.max().item<int>() < k));
    }

    [Fact]
    public void Grid_places_every_element_once_in_its_partition_row_in_element_order()
    {
        const int k = 5;
        using var layout = MiniLayout(k, seed: 13);
        int fc = Index("visual.transformer.resblocks.0.mlp.c_fc.weight");
        var grid = layout.Grid(fc)!;
        long[] partitionOf = layout.Assignment(fc)!.flatten().to(ScalarType.Int64).data<long>().ToArray();
        long[] slots = grid.Slots.data<long>().ToArray();
        long[] cells = grid.Cells.data<long>().ToArray();
        Assert.Equal(k * grid.Width, cells.Length);
        Assert.Equal(partitionOf.Length, slots.Distinct().Count()); // no two elements share a cell
        for (int e = 0; e < partitionOf.Length; e++)
        {
            Assert.Equal(partitionOf[e], slots[e] / grid.Width); // row = partition
            Assert.Equal(e, cells[slots[e]]);                    // the cell reads the element back
        }
        for (int part = 0; part < k; part++)
        {
            var row = Enumerable.Range(0, partitionOf.Length).Where(e => partitionOf[e] == part).Select(e => slots[e] % grid.Width);
            Assert.Equal(Enumerable.Range(0, partitionOf.Count(p => p == part)).Select(i => (long)i), row); // element order
        }
        Assert.Equal(partitionOf.GroupBy(p => p).Max(g => g.LongCount()), grid.Width);
    }
}

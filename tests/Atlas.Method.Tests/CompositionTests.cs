using Atlas.Method.Composition;
using Atlas.Models;
using static Atlas.Method.Tests.Fixtures;
using static TorchSharp.torch;

namespace Atlas.Method.Tests;

public class CompositionTests
{
    private static CoefficientLayout[] AllLayouts(TaskVectorPool pool) =>
    [
        CoefficientLayout.Isotropic(pool.BlockNames),
        CoefficientLayout.Blockwise(pool.BlockNames),
        CoefficientLayout.Layerwise(pool.BlockNames),
        CoefficientLayout.Partitioned(pool.BlockNames, pool.BlockShapes, 3, seed: 5),
        CoefficientLayout.Partitioned(pool.BlockNames, pool.BlockShapes, 3, seed: 5, PartitionScope.PerShape, PartitionBlocks.MatricesOnly),
    ];

    [Fact]
    public void Zero_coefficients_reproduce_the_pretrained_tower_bitwise()
    {
        using var scope = NewDisposeScope();
        var pretrained = Pretrained();
        using var pool = Pool(pretrained, RandomTaskVector(pretrained, 11), RandomTaskVector(pretrained, 12));
        var images = Images(3);
        var zeroShot = Encode(images, pretrained);
        foreach (var layout in AllLayouts(pool))
        {
            using (layout)
            {
                var composed = WeightComposer.Compose(pretrained, pool, layout, layout.Create(pool.TaskCount));
                AssertAllIdentical(pretrained, composed);
                Assert.True(TensorAssert.Identical(zeroShot, Encode(images, composed)), $"{layout.Kind} at Λ = 0 is not zero-shot");
            }
        }
    }

    [Fact]
    public void Unit_coefficients_on_one_task_vector_reproduce_the_finetuned_tower()
    {
        using var scope = NewDisposeScope();
        var pretrained = Pretrained();
        var delta = RandomTaskVector(pretrained, 21, scale: 0.1);
        var finetuned = pretrained.ToDictionary(p => p.Key, p => p.Value + delta[p.Key]);
        using var taskVector = TaskVector.FromWeights(pretrained, finetuned, Blocks);
        using var pool = new TaskVectorPool(pretrained, Blocks, [("ft", taskVector.Deltas)]);
        using var layout = CoefficientLayout.Blockwise(pool.BlockNames);
        var images = Images(4);
        var composed = WeightComposer.Compose(pretrained, pool, layout, layout.Create(1, 1.0));
        var expected = Encode(images, finetuned);
        Assert.True(Encode(images, composed).allclose(expected, rtol: 1e-6, atol: 1e-6));
        Assert.False(Encode(images, pretrained).allclose(expected, rtol: 1e-3, atol: 1e-3));
    }

    [Fact]
    public void Gradient_on_coefficients_is_the_inner_product_of_weight_gradient_and_task_vector()
    {
        using var scope = NewDisposeScope();
        var pretrained = Pretrained();
        using var pool = Pool(pretrained, RandomTaskVector(pretrained, 11), RandomTaskVector(pretrained, 12));
        var images = Images(5, count: 6);
        var head = Images(6, count: 5).reshape(5, -1).narrow(1, 0, 8);
        var labels = tensor(new long[] { 0, 1, 2, 3, 4, 0 });
        Tensor Loss(IReadOnlyDictionary<string, Tensor> weights) =>
            nn.functional.cross_entropy(ZeroShotHead.Logits(Encode(images, weights), head), labels);

        CoefficientLayout[] layouts =
        [
            CoefficientLayout.Blockwise(pool.BlockNames),
            CoefficientLayout.Layerwise(pool.BlockNames),
            CoefficientLayout.Partitioned(pool.BlockNames, pool.BlockShapes, 3, seed: 9),
        ];
        using var generator = new TorchSharp.torch.Generator(17);
        foreach (var layout in layouts)
        {
            using (layout)
            {
                var coefficients = (randn(layout.CoefficientShape(pool.TaskCount), generator: generator) * 0.3).requires_grad_(true);
                Loss(WeightComposer.Compose(pretrained, pool, layout, coefficients)).backward();
                var autograd = Doubles(coefficients.grad!);

                // Independently: ∂L/∂θ_j from a forward over leaf copies of the composed weights, then ⟨∂L/∂θ_j, τ_tj⟩.
                Dictionary<string, Tensor> leaves;
                using (no_grad())
                    leaves = WeightComposer.Compose(pretrained, pool, layout, coefficients)
                        .ToDictionary(p => p.Key, p => p.Value.clone().requires_grad_(true));
                Loss(leaves).backward();
                var expected = new double[autograd.Length];
                int groups = (int)layout.CoefficientShape(pool.TaskCount)[1], k = layout.Partitions;
                for (int j = 0; j < pool.BlockCount; j++)
                {
                    var gradient = leaves[pool.BlockNames[j]].grad!.to(ScalarType.Float64);
                    var assignment = layout.Assignment(j);
                    for (int t = 0; t < pool.TaskCount; t++)
                    {
                        var product = gradient * pool.Stack(j)[t].to(ScalarType.Float64);
                        for (int part = 0; part < k; part++)
                        {
                            var selected = assignment is null ? product : product * assignment.eq(part);
                            expected[(t * groups + layout.GroupOf(j)) * k + part] += selected.sum().item<double>();
                        }
                    }
                }
                double error = Math.Sqrt(autograd.Zip(expected, (a, b) => (a - b) * (a - b)).Sum());
                double norm = Math.Sqrt(expected.Sum(e => e * e));
                Assert.True(norm > 0);
                Assert.True(error <= 1e-5 * norm, $"{layout.Kind}: relative gradient error {error / norm:E2}");
            }
        }
    }

    [Fact]
    public void Isotropic_alpha_equals_task_arithmetic()
    {
        using var scope = NewDisposeScope();
        var pretrained = Pretrained();
        var tau1 = RandomTaskVector(pretrained, 11);
        var tau2 = RandomTaskVector(pretrained, 12);
        using var pool = Pool(pretrained, tau1, tau2);
        using var layout = CoefficientLayout.Isotropic(pool.BlockNames);
        foreach (double alpha in new[] { 0.35, -0.6 })
        {
            var engine = WeightComposer.Compose(pretrained, pool, layout, layout.Create(2, alpha, requiresGrad: false));
            var arithmetic = TaskArithmetic.Apply(pretrained, pool, alpha);
            AssertAllIdentical(engine, arithmetic);
            foreach (var name in Blocks)
                Assert.True(arithmetic[name].allclose(pretrained[name] + alpha * (tau1[name] + tau2[name]), rtol: 1e-6, atol: 1e-7), name);
            Assert.All(arithmetic.Values, t => Assert.False(t.requires_grad));
        }
    }

    [Fact]
    public void Paper_alpha_grid_and_selection()
    {
        var grid = TaskArithmetic.AlphaGrid;
        Assert.Equal(21, grid.Count);
        Assert.Equal(0.0, grid[0]);
        Assert.Equal(1.0, grid[20]);
        Assert.Equal(0.5, grid[10], 12);
        Assert.Equal(0.05, grid[1] - grid[0], 12);
        // Highest score wins, first on ties, NaN never.
        var best = ScalingGrid.SelectBest(grid, a => a is > 0.29 and < 0.41 ? 1.0 : a > 0.9 ? double.NaN : a / 10);
        Assert.Equal(0.3, best.Value, 12);
        Assert.Equal(1.0, best.Score);
        Assert.Throws<InvalidOperationException>(() => ScalingGrid.SelectBest([0.1], _ => double.NaN));
    }

    [Fact]
    public void Layerwise_groups_transformer_layers_plus_embedding_and_output()
    {
        var names = ClipParameterNames.Visual(ClipConfig.Mini);
        using var layout = CoefficientLayout.Layerwise(names);
        int layers = ClipConfig.Mini.Vision.Layers;
        Assert.Equal(layers + 2, layout.GroupCount);
        Assert.Equal([1L, layers + 2], layout.CoefficientShape(1));
        for (int j = 0; j < names.Count; j++)
        {
            string name = names[j];
            int expected = name switch
            {
                _ when name.StartsWith("visual.transformer.resblocks.", StringComparison.Ordinal) =>
                    int.Parse(name.Split('.')[3]),
                "visual.ln_post.weight" or "visual.ln_post.bias" or "visual.proj" => layers + 1,
                _ => layers,
            };
            Assert.True(expected == layout.GroupOf(j), $"{name} → group {layout.GroupOf(j)}, expected {expected}");
        }
        Assert.Equal(CoefficientLayout.EmbeddingGroup, layout.GroupNames[layers]);
        Assert.Equal(CoefficientLayout.OutputGroup, layout.GroupNames[layers + 1]);
        Assert.Equal(5, Enumerable.Range(0, names.Count).Count(j => layout.GroupOf(j) == layers)); // class/pos emb, conv1, ln_pre ×2

        using var isotropic = CoefficientLayout.Isotropic(names);
        using var blockwise = CoefficientLayout.Blockwise(names);
        Assert.Equal([3L, 1], isotropic.CoefficientShape(3));
        Assert.Equal([3L, names.Count], blockwise.CoefficientShape(3));
        Assert.Equal(names, blockwise.GroupNames);
    }

    [Fact]
    public void Every_merge_method_leaves_pretrained_and_task_vectors_untouched()
    {
        using var scope = NewDisposeScope();
        var pretrained = Pretrained();
        var vectors = new[] { RandomTaskVector(pretrained, 11), RandomTaskVector(pretrained, 12), RandomTaskVector(pretrained, 13) };
        var pretrainedCopy = DeepCopy(pretrained);
        var vectorCopies = vectors.Select(v => DeepCopy(v)).ToArray();
        using var pool = Pool(pretrained, vectors);
        var images = Images(7);

        _ = TaskArithmetic.Apply(pretrained, pool, 0.4);
        _ = TiesMerging.Merge(pool, 0.2);
        using (var ties = TiesMerging.MergeToPool(pretrained, pool, 0.2))
            _ = TaskArithmetic.Apply(pretrained, ties, 0.7);
        foreach (var layout in AllLayouts(pool))
        {
            using (layout)
            {
                var coefficients = layout.Create(pool.TaskCount, 0.5);
                Encode(images, WeightComposer.Compose(pretrained, pool, layout, coefficients)).square().sum().backward();
                Assert.NotNull(coefficients.grad);
            }
        }

        AssertAllIdentical(pretrainedCopy, pretrained);
        for (int t = 0; t < vectors.Length; t++) AssertAllIdentical(vectorCopies[t], vectors[t]);
        for (int j = 0; j < pool.BlockCount; j++)
            for (int t = 0; t < vectors.Length; t++)
                Assert.True(TensorAssert.Identical(vectorCopies[t][pool.BlockNames[j]], pool.Stack(j)[t]));
        Assert.All(pretrained.Values, w => Assert.Null(w.grad));
    }

    [Fact]
    public void Entries_outside_the_pool_pass_through_as_aliases()
    {
        using var scope = NewDisposeScope();
        var pretrained = Pretrained();
        var matrices = Blocks.Where(b => pretrained[b].dim() == 2).ToArray();
        using var pool = new TaskVectorPool(pretrained, matrices, [("a", RandomTaskVector(pretrained, 11))]);
        using var layout = CoefficientLayout.Blockwise(pool.BlockNames);
        var composed = WeightComposer.Compose(pretrained, pool, layout, layout.Create(1, 1.0));
        Assert.Equal(pretrained.Keys, composed.Keys);
        foreach (var name in Blocks.Except(matrices)) Assert.True(TensorAssert.Identical(pretrained[name], composed[name]), name);
        foreach (var name in matrices) Assert.False(TensorAssert.Identical(pretrained[name], composed[name]), name);
        foreach (var tensor in composed.Values) tensor.Dispose();
        _ = Encode(Images(1), pretrained); // θ0's handles survive disposing the composed dictionary
    }

    [Fact]
    public void Mismatched_coefficients_and_pretrained_weights_are_reported()
    {
        using var scope = NewDisposeScope();
        var pretrained = Pretrained();
        using var pool = Pool(pretrained, RandomTaskVector(pretrained, 11), RandomTaskVector(pretrained, 12));
        using var layout = CoefficientLayout.Blockwise(pool.BlockNames);
        var shape = Assert.Throws<ArgumentException>(() =>
            WeightComposer.Compose(pretrained, pool, layout, zeros(3, pool.BlockCount)));
        Assert.Contains($"[2, {pool.BlockCount}]", shape.Message);
        Assert.Throws<ArgumentException>(() =>
            WeightComposer.Compose(pretrained, pool, layout, zeros([2, pool.BlockCount], ScalarType.Float64)));
        using var other = CoefficientLayout.Blockwise([.. pool.BlockNames.Reverse()]);
        Assert.Throws<ArgumentException>(() => WeightComposer.Compose(pretrained, pool, other, other.Create(2)));

        var missing = new Dictionary<string, Tensor>(pretrained);
        missing.Remove("visual.proj");
        var error = Assert.Throws<KeyNotFoundException>(() => WeightComposer.Compose(missing, pool, layout, layout.Create(2)));
        Assert.Contains("visual.proj", error.Message);
        var reshaped = new Dictionary<string, Tensor>(pretrained) { ["visual.proj"] = pretrained["visual.proj"].t() };
        var shapeError = Assert.Throws<ArgumentException>(() => WeightComposer.Compose(reshaped, pool, layout, layout.Create(2)));
        Assert.Contains("visual.proj", shapeError.Message);
    }
}

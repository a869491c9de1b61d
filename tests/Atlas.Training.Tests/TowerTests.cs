using Atlas.Method.Composition;
using Atlas.Method.Lora;
using Atlas.Training.Composition;
using Atlas.Training.Towers;
using static TorchSharp.torch;

namespace Atlas.Training.Tests;

/// <summary>The PEFT parameterisations on the tiny tower: where each starts, what it trains, how many scalars it has,
/// and the block-selection gradient at Λ = 0.</summary>
public class TowerTests
{
    [Fact]
    public void Lora_starts_at_the_pretrained_tower_and_fine_tuning_trains_only_its_pairs()
    {
        using var scope = NewDisposeScope();
        var fixture = new FineTuningFixture();
        var before = TestSupport.DeepCopy(fixture.Pretrained);
        var tower = new LoraTower(fixture.Pretrained, rank: 2, alpha: 4, seed: 3);
        var initial = tower.Initial();
        TestSupport.AssertAllIdentical(fixture.Pretrained, tower.Weights(initial));
        Assert.Equal(LoraAdapters.ParameterCount(fixture.Pretrained, 2), tower.TrainableCount);
        Assert.Equal(tower.TrainableCount, initial.Values.Sum(t => t.numel()));

        var (trained, history) = FineTuning.Run(tower, fixture.Head, fixture.Batches(5), TestSupport.Tiny,
            FineTuningFixture.Recipe with { Lr = 1e-2 }, TestSupport.Silent(FineTuningFixture.Steps));
        Assert.Equal(initial.Keys, trained.Keys);
        Assert.Contains(trained, p => p.Key.EndsWith(LoraAdapters.BSuffix, StringComparison.Ordinal) && p.Value.abs().max().item<float>() > 0);
        Assert.Equal(FineTuningFixture.Steps, history.Count);
        TestSupport.AssertAllIdentical(before, fixture.Pretrained);
    }

    [Fact]
    public void Full_fine_tuning_through_the_tower_is_the_fine_tuning_of_the_whole_tower()
    {
        using var scope = NewDisposeScope();
        var fixture = new FineTuningFixture();
        var tower = new FullTower(fixture.Pretrained);
        Assert.Equal(fixture.Pretrained.Values.Sum(t => t.numel()), tower.TrainableCount);
        var (viaTower, _) = FineTuning.Run(tower, fixture.Head, fixture.Batches(5), TestSupport.Tiny, FineTuningFixture.Recipe,
            TestSupport.Silent(FineTuningFixture.Steps));
        var (direct, _) = fixture.Run(batchSeed: 5);
        TestSupport.AssertAllIdentical(direct, viaTower);
    }

    [Fact]
    public void Composed_models_count_one_coefficient_per_task_block_and_partition()
    {
        using var scope = NewDisposeScope();
        var (pretrained, pool) = TestSupport.TinyPool(21, 22, 23);
        using var owned = pool;
        using var blockwise = CoefficientLayout.Blockwise(pool.BlockNames);
        using var partitioned = CoefficientLayout.Partitioned(pool.BlockNames, pool.BlockShapes, 4, seed: 1);
        Assert.Equal(3L * pool.BlockCount, new ComposedModel(pretrained, pool, blockwise).TrainableCount);
        Assert.Equal(3L * pool.BlockCount * 4, new ComposedModel(pretrained, pool, partitioned).TrainableCount);
    }

    [Fact]
    public void Informativeness_is_the_absolute_summed_gradient_inner_product_at_zero()
    {
        using var scope = NewDisposeScope();
        var fixture = new FineTuningFixture();
        var (_, pool) = TestSupport.TinyPool(21, 22, 23);
        using var owned = pool;
        using var layout = CoefficientLayout.Blockwise(pool.BlockNames);
        var model = new ComposedModel(fixture.Pretrained, pool, layout);
        var batches = fixture.Batches(7);
        var objective = new TaskBatches([(batches, fixture.Head)], TestSupport.Tiny);
        const int steps = 3;

        var informativeness = CoefficientInformativeness.AtZero(model, steps, objective.SummedCrossEntropy);

        // Reference: the weight-space gradient at θ0, summed over the same batches, projected on every τ_t,j.
        var weights = fixture.Pretrained.ToDictionary(p => p.Key, p => p.Value.detach().clone().requires_grad_(true));
        for (int step = 0; step < steps; step++) objective.SummedCrossEntropy(weights, step).backward();
        for (int j = 0; j < pool.BlockCount; j++)
        {
            var gradient = weights[pool.BlockNames[j]].grad!;
            for (int t = 0; t < pool.TaskCount; t++)
            {
                double expected = Math.Abs((gradient * pool.Stack(j)[t]).sum().to_type(ScalarType.Float64).item<double>());
                Assert.Equal(expected, informativeness[t, j], 1e-5 + 1e-4 * expected);
            }
        }
        using var partitioned = CoefficientLayout.Partitioned(pool.BlockNames, pool.BlockShapes, 2, seed: 1);
        Assert.Throws<ArgumentException>(() =>
            CoefficientInformativeness.AtZero(new ComposedModel(fixture.Pretrained, pool, partitioned), 1, objective.SummedCrossEntropy));
    }

    [Fact]
    public void Progress_keeps_the_median_step_time()
    {
        var progress = TestSupport.Silent(3);
        Assert.True(double.IsNaN(progress.MedianStepSeconds));
        progress.Report(0, 1, 0.1, 0.3);
        progress.Report(1, 1, 0.1, 0.1);
        progress.Report(2, 1, 0.1, 0.2);
        Assert.Equal(0.2, progress.MedianStepSeconds, 12);

        using var scope = NewDisposeScope();
        var fixture = new FineTuningFixture();
        var timed = TestSupport.Silent(FineTuningFixture.Steps);
        FineTuning.Run(fixture.Pretrained, fixture.Head, fixture.Batches(5), TestSupport.Tiny, FineTuningFixture.Recipe, timed);
        Assert.True(timed.MedianStepSeconds > 0);
    }
}

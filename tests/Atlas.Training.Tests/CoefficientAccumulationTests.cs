using Atlas.Method.Composition;
using Atlas.Training.Composition;
using Atlas.Training.Optim;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Atlas.Training.Tests;

/// <summary>
/// Gradient accumulation for coefficient learning (the paper's ViT-L/14 aTLAS runs batch 128 as 2 × 64): the gradients
/// of Λ summed over k micro-batches of every task's batch, each micro-batch's summed cross-entropy scaled by 1/k, equal
/// the gradient of the whole step's summed cross-entropy, differentiated directly by autograd; one training step with
/// accumulation equals the step without it.
/// </summary>
public sealed class CoefficientAccumulationTests(ITestOutputHelper output)
{
    private const double Float32Tolerance = 1e-6;
    private static readonly FineTuningFixture Problem = new();

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Accumulated_coefficient_gradients_equal_the_full_batch_gradient(int microBatches)
    {
        using var scope = NewDisposeScope();
        var (pretrained, pool) = TestSupport.TinyPool(21, 22);
        using var owned = pool;
        using var layout = CoefficientLayout.Blockwise(pool.BlockNames);
        var model = new ComposedModel(pretrained, pool, layout);
        var objective = Objective();

        // Reference: Σ_t CE_t over both tasks' whole batches (4 images each), differentiated directly.
        var full = layout.Create(pool.TaskCount, 0.3, requiresGrad: true);
        var fullLoss = objective.SummedCrossEntropy(model.Weights(full), 2);
        double fullValue = fullLoss.item<float>();
        fullLoss.backward();

        var accumulated = layout.Create(pool.TaskCount, 0.3, requiresGrad: true);
        double value = GradientAccumulation.Backward(microBatches,
            micro => objective.SummedCrossEntropy(model.Weights(accumulated), 2, micro, microBatches), step: 2);

        double error = (accumulated.grad! - full.grad!).abs().max().item<float>();
        double largest = full.grad!.abs().max().item<float>();
        output.WriteLine($"k = {microBatches}: max |Δgrad Λ| {error:E2} (max |grad| {largest:E2}), |Δloss| {Math.Abs(value - fullValue):E2}");
        Assert.True(largest > 1e-3, "the gradients are too small for the comparison to mean anything");
        Assert.True(error <= Float32Tolerance, $"Λ's gradient differs by {error:E2}");
        Assert.True(Math.Abs(value - fullValue) <= Float32Tolerance, $"step loss {value} vs full-batch {fullValue}");
    }

    [Fact]
    public void One_accumulated_step_with_the_penalty_equals_the_plain_step()
    {
        using var scope = NewDisposeScope();
        var (pretrained, pool) = TestSupport.TinyPool(21, 22);
        using var owned = pool;
        using var layout = CoefficientLayout.Blockwise(pool.BlockNames);
        var model = new ComposedModel(pretrained, pool, layout);
        var objective = Objective();
        var regularizer = new CoefficientRegularizer(gamma: 0.5);
        var recipe = new OptimizationRecipe(Lr: 0.01, WeightDecay: 0.1, Steps: 1, WarmupSteps: 0, Cosine: false, GradClip: 100);
        var initial = model.Initial(0.3);

        var (plain, _) = model.Train(initial, recipe, objective.SummedCrossEntropy, TestSupport.Silent(1), regularizer: regularizer);
        var (accumulated, _) = model.Train(initial, recipe with { GradientAccumulation = 2 },
            (weights, step, micro) => objective.SummedCrossEntropy(weights, step, micro, 2), TestSupport.Silent(1), regularizer: regularizer);

        double moved = (plain - initial[ComposedModel.CoefficientsKey]).abs().max().item<float>();
        double error = (accumulated - plain).abs().max().item<float>();
        output.WriteLine($"one step: max |ΔΛ| {error:E2} (the step moved Λ by up to {moved:E2})");
        Assert.True(moved > 5e-3, "the step did not move Λ");
        Assert.True(error <= Float32Tolerance, $"Λ differs by {error:E2} after one step");
    }

    /// <summary>Two tasks of the tiny problem (batch 4, differently seeded streams) under its frozen head.</summary>
    private static TaskBatches Objective() =>
        new([(Problem.Batches(seed: 5), Problem.Head), (Problem.Batches(seed: 6), Problem.Head)], TestSupport.Tiny);
}

using Atlas.Method;
using Atlas.Method.Composition;
using Atlas.Models;
using Atlas.Training.Composition;
using Atlas.Training.Optim;
using static TorchSharp.torch;

namespace Atlas.Training.Tests;

/// <summary>Coefficient learning through the shared loop on the tiny tower: only Λ moves, and the multi-task loss of
/// one forward pass equals the per-task losses computed apart.</summary>
public class ComposedModelTests
{
    [Fact]
    public void Training_moves_only_the_coefficients_toward_their_target()
    {
        using var scope = NewDisposeScope();
        var (pretrained, pool) = TestSupport.TinyPool(21, 22);
        using var owned = pool;
        var before = TestSupport.DeepCopy(pretrained);
        var stacksBefore = Enumerable.Range(0, pool.BlockCount).Select(j => pool.Stack(j).clone()).ToList();
        using var layout = CoefficientLayout.Isotropic(pool.BlockNames);
        var model = new ComposedModel(pretrained, pool, layout);

        // Target weights θ0 + 0.5·τ_a − 0.25·τ_b: a squared distance in weight space has its minimum at Λ = (0.5, −0.25).
        var target = model.Weights(tensor(new float[] { 0.5f, -0.25f }).view(2, 1));
        foreach (var t in target.Values) t.detach_();
        var recipe = new OptimizationRecipe(Lr: 0.05, WeightDecay: 0, Steps: 200, WarmupSteps: 0, Cosine: true, GradClip: 100);
        var (coefficients, history) = model.Train(model.Initial(), recipe,
            (weights, _) => stack(pool.BlockNames.Select(b => (weights[b] - target[b]).square().sum()).ToArray()).sum(),
            TestSupport.Silent(recipe.Steps));

        Assert.Equal([2L, 1], coefficients.shape);
        Assert.Equal(0.5, coefficients[0, 0].item<float>(), 2);
        Assert.Equal(-0.25, coefficients[1, 0].item<float>(), 2);
        Assert.True(history[^1].Loss < history[0].Loss / 100);
        TestSupport.AssertAllIdentical(before, pretrained);
        for (int j = 0; j < pool.BlockCount; j++) Assert.True(TensorAssert.Identical(stacksBefore[j], pool.Stack(j)));
    }

    [Fact]
    public void One_forward_over_all_tasks_gives_the_per_task_cross_entropies()
    {
        using var scope = NewDisposeScope();
        var fixture = new FineTuningFixture();
        var headB = ZeroShotHead.Build(randn([5, 2, 16], generator: new Generator(3)), 10);
        var labelsB = arange(12, dtype: ScalarType.Int64) % 5;
        var batchesA = new ImageBatches(fixture.Images, fixture.Labels, 4, (0.8, 1.0), seed: 1);
        var batchesB = new ImageBatches(fixture.Images.flip(3), labelsB, 3, null, seed: 2);
        var tasks = new TaskBatches([(batchesA, fixture.Head), (batchesB, headB)], TestSupport.Tiny);

        double CrossEntropy(ImageBatches batches, Tensor head)
        {
            var (images, labels) = batches.At(5);
            var features = ClipForward.EncodeImage(Preprocessing.Normalize(images, TestSupport.Tiny), fixture.Pretrained, TestSupport.Tiny.Vision);
            return nn.functional.cross_entropy(ZeroShotHead.Logits(features, head), labels).item<float>();
        }

        double summed = tasks.SummedCrossEntropy(fixture.Pretrained, 5).item<float>();
        Assert.Equal(CrossEntropy(batchesA, fixture.Head) + CrossEntropy(batchesB, headB), summed, 5);
        var perTask = tasks.At(fixture.Pretrained, 5);
        Assert.Equal([4L, 3], perTask.Select(t => t.Logits.shape[0]));
        Assert.Equal([3L, 5], perTask.Select(t => t.Logits.shape[1]));
    }

    [Fact]
    public void Bounded_coefficients_compose_clamped_and_get_no_gradient_outside_the_bounds()
    {
        using var scope = NewDisposeScope();
        // θ0 = (1, 2), τ_a = (1, 0), τ_b = (0, 1); the loss ⟨w, c⟩ with c = (2, 3) has ∂/∂λ_a = 2 and ∂/∂λ_b = 3.
        var pretrained = new Dictionary<string, Tensor> { ["w"] = tensor(new[] { 1f, 2f }) };
        using var pool = new TaskVectorPool(pretrained, ["w"],
        [
            ("a", new Dictionary<string, Tensor> { ["w"] = tensor(new[] { 1f, 0f }) }),
            ("b", new Dictionary<string, Tensor> { ["w"] = tensor(new[] { 0f, 1f }) }),
        ]);
        using var layout = CoefficientLayout.Isotropic(pool.BlockNames);
        var bounded = new ComposedModel(pretrained, pool, layout, CoefficientBounds.UnitInterval);
        var c = tensor(new[] { 2f, 3f });

        // λ = (−0.5, 1.7) composes as clamp = (0, 1): w = (1, 3), and neither entry gets a gradient.
        var outside = tensor(new[] { -0.5f, 1.7f }).view(2, 1).requires_grad_();
        Assert.Equal(new double[] { 1.0, 3.0 }, bounded.Weights(outside)["w"].data<float>().Select(v => (double)v).ToArray());
        Assert.Equal(new double[] { 0.0, 1.0 }, bounded.Effective(outside).data<float>().Select(v => (double)v).ToArray());
        (bounded.Weights(outside)["w"] * c).sum().backward();
        Assert.Equal(new double[] { 0.0, 0.0 }, outside.grad!.data<float>().Select(v => (double)v).ToArray());

        // Inside the bounds the clamp is the identity: w = (1.4, 2.6), gradient (2, 3).
        var inside = tensor(new[] { 0.4f, 0.6f }).view(2, 1).requires_grad_();
        Assert.Equal(new double[] { 1.4, 2.6 }, bounded.Weights(inside)["w"].data<float>().Select(v => Math.Round(v, 5)).ToArray());
        (bounded.Weights(inside)["w"] * c).sum().backward();
        Assert.Equal(new double[] { 2.0, 3.0 }, inside.grad!.data<float>().Select(v => (double)v).ToArray());

        // One Adam step from (−0.5, 1.7): the bounded model does not move (zero gradient); without bounds each
        // coefficient moves by −lr (Adam's first step is lr · sign(gradient)).
        var recipe = new OptimizationRecipe(Lr: 0.1, WeightDecay: 0, Steps: 1, WarmupSteps: 0, Cosine: false, GradClip: double.PositiveInfinity);
        Tensor Loss(IReadOnlyDictionary<string, Tensor> weights, long _) => (weights["w"] * c).sum();
        var start = new Dictionary<string, Tensor> { [ComposedModel.CoefficientsKey] = tensor(new[] { -0.5f, 1.7f }).view(2, 1) };
        var (stayed, _) = bounded.Train(start, recipe, Loss, TestSupport.Silent(1));
        Assert.Equal(new double[] { -0.5, 1.7 }, stayed.data<float>().Select(v => Math.Round(v, 5)).ToArray());
        var (moved, _) = new ComposedModel(pretrained, pool, layout).Train(start, recipe, Loss, TestSupport.Silent(1));
        Assert.Equal(new double[] { -0.6, 1.6 }, moved.data<float>().Select(v => Math.Round(v, 5)).ToArray());
    }
}

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
}

using static TorchSharp.torch;

namespace Atlas.Training.Tests;

public class FineTuningTests
{
    [Fact]
    public void Leaves_its_inputs_untouched_and_returns_trained_detached_weights()
    {
        using var scope = NewDisposeScope();
        var fixture = new FineTuningFixture();
        var inputs = fixture.Pretrained;
        var references = inputs.ToDictionary(p => p.Key, p => p.Value);
        var before = TestSupport.DeepCopy(inputs);
        var head = fixture.Head.clone();
        var images = fixture.Images.clone();

        var (weights, history) = fixture.Run();

        Assert.Equal(references.Keys, inputs.Keys);
        foreach (var (name, tensor) in inputs)
        {
            Assert.Same(references[name], tensor);
            Assert.False(tensor.requires_grad, name);
            Assert.Null(tensor.grad);
        }
        TestSupport.AssertAllIdentical(before, inputs);
        Assert.True(TensorAssert.Identical(head, fixture.Head));
        Assert.True(TensorAssert.Identical(images, fixture.Images));

        Assert.Equal(inputs.Keys, weights.Keys);
        Assert.All(weights.Values, w => Assert.False(w.requires_grad));
        // Every image-tower tensor is trained (AdamW moves each entry with a non-zero gradient by about lr).
        Assert.All(weights, p => Assert.False(TensorAssert.Identical(p.Value, inputs[p.Key]), p.Key));

        var schedule = FineTuningFixture.Recipe.Schedule;
        Assert.Equal(Enumerable.Range(1, FineTuningFixture.Steps).Select(s => (long)s), history.Select(p => p.Step));
        Assert.Equal(Enumerable.Range(0, FineTuningFixture.Steps).Select(s => schedule.At(s)), history.Select(p => p.Lr));
        Assert.All(history, p => Assert.True(double.IsFinite(p.Loss) && p.Loss > 0));
    }
}

using Atlas.Training.Optim;
using static TorchSharp.torch;

namespace Atlas.Training.Tests;

public class GradientClippingTests
{
    /// <summary>Parameters with gradients (3, 4) and (12) — global norm √(9 + 16 + 144) = 13 — and one without.</summary>
    private static Tensor[] Parameters()
    {
        var a = zeros(2).requires_grad_(true);
        var b = zeros(1, 1).requires_grad_(true);
        var unused = zeros(3).requires_grad_(true);
        using (var scope = NewDisposeScope())
            ((a * tensor(new float[] { 3, 4 })).sum() + (b * 12).sum()).backward();
        Assert.Null(unused.grad);
        return [a, b, unused];
    }

    private static double GlobalNorm(IEnumerable<Tensor> parameters) =>
        Math.Sqrt(parameters.Where(p => p.grad is not null).Sum(p => TestSupport.Doubles(p.grad!).Sum(g => g * g)));

    [Fact]
    public void Returns_the_global_norm_and_scales_gradients_down_to_the_bound()
    {
        using var scope = NewDisposeScope();
        var parameters = Parameters();
        double norm = GradientClipping.ClipGlobalNorm(parameters, maxNorm: 6.5);
        Assert.Equal(13, norm, 5);

        double factor = 6.5 / (13 + 1e-6);
        var a = TestSupport.Doubles(parameters[0].grad!);
        Assert.Equal(3 * factor, a[0], 5);
        Assert.Equal(4 * factor, a[1], 5);
        Assert.Equal(12 * factor, TestSupport.Doubles(parameters[1].grad!)[0], 5);
        Assert.Equal(6.5, GlobalNorm(parameters), 4);
        Assert.Null(parameters[2].grad);
    }

    [Fact]
    public void Leaves_gradients_below_the_bound_untouched()
    {
        using var scope = NewDisposeScope();
        var parameters = Parameters();
        var before = parameters.Take(2).Select(p => p.grad!.clone()).ToArray();
        Assert.Equal(13, GradientClipping.ClipGlobalNorm(parameters, maxNorm: 20), 5);
        for (int i = 0; i < 2; i++) Assert.True(TensorAssert.Identical(before[i], parameters[i].grad!));
    }

    [Fact]
    public void Without_gradients_the_norm_is_zero()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(0, GradientClipping.ClipGlobalNorm([zeros(2).requires_grad_(true)], 1));
    }
}

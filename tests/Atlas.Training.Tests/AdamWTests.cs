using Atlas.Training.Optim;
using static TorchSharp.torch;

namespace Atlas.Training.Tests;

public class AdamWTests
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Eps = 1e-8, WeightDecay = 0.1;
    private static readonly double[] Initial = [1.0, -0.5, 2.0, 0.3, -1.25];
    private static readonly double[] Lrs = [0.1, 0.05, 0.02];

    // Per step: an ordinary entry, a negative one, one near ε (so ε matters), a zero gradient (only decay acts), and a
    // sign flip.
    private static readonly double[][] Grads =
    [
        [0.5, -1.0, 1e-7, 0, 0.3],
        [-0.2, 0.3, 2e-7, 0, -0.6],
        [1.0, 0.1, -1e-7, 0, 0.05],
    ];

    /// <summary>AdamW (decoupled decay, bias-corrected moments) in plain doubles, after each step.</summary>
    private static (double[] P, double[] M, double[] V)[] Reference()
    {
        var p = (double[])Initial.Clone();
        var m = new double[p.Length];
        var v = new double[p.Length];
        var result = new List<(double[], double[], double[])>();
        for (int t = 1; t <= Grads.Length; t++)
        {
            double lr = Lrs[t - 1];
            for (int i = 0; i < p.Length; i++)
            {
                double g = Grads[t - 1][i];
                p[i] *= 1 - lr * WeightDecay;
                m[i] = Beta1 * m[i] + (1 - Beta1) * g;
                v[i] = Beta2 * v[i] + (1 - Beta2) * g * g;
                double mHat = m[i] / (1 - Math.Pow(Beta1, t));
                double vHat = v[i] / (1 - Math.Pow(Beta2, t));
                p[i] -= lr * mHat / (Math.Sqrt(vHat) + Eps);
            }
            result.Add(((double[])p.Clone(), (double[])m.Clone(), (double[])v.Clone()));
        }
        return result.ToArray();
    }

    /// <summary>Sets p.grad to <paramref name="grad"/> through autograd: d/dp Σ p·g = g.</summary>
    private static void SetGrad(Tensor p, double[] grad)
    {
        using var scope = NewDisposeScope();
        (p * tensor(grad, dtype: p.dtype)).sum().backward();
    }

    [Theory]
    [InlineData(ScalarType.Float64, 1e-12)]
    [InlineData(ScalarType.Float32, 1e-6)]
    public void Steps_match_the_hand_computed_update(ScalarType dtype, double tolerance)
    {
        using var scope = NewDisposeScope();
        var p = tensor(Initial, dtype: dtype).requires_grad_(true);
        var frozen = tensor(new double[] { 3, -4 }, dtype: dtype).requires_grad_(true); // never gets a gradient
        var parameters = new Dictionary<string, Tensor> { ["p"] = p, ["frozen"] = frozen };
        using var optimizer = new AdamW(parameters, WeightDecay);
        var reference = Reference();

        for (int t = 0; t < Grads.Length; t++)
        {
            optimizer.ZeroGrad();
            SetGrad(p, Grads[t]);
            optimizer.Step(Lrs[t]);

            var (expectedP, expectedM, expectedV) = reference[t];
            AssertClose(expectedP, TestSupport.Doubles(p), tolerance, $"p after step {t + 1}");
            var state = optimizer.StateTensors();
            AssertClose(expectedM, TestSupport.Doubles(state["exp_avg.p"]), tolerance, $"m after step {t + 1}");
            AssertClose(expectedV, TestSupport.Doubles(state["exp_avg_sq.p"]), tolerance * 1e-3, $"v after step {t + 1}");

            Assert.Null(frozen.grad);
            Assert.Equal([3.0, -4.0], TestSupport.Doubles(frozen)); // skipped: neither decayed nor moved
            Assert.True(state["exp_avg.frozen"].eq(0).all().item<bool>());
            Assert.Equal(t + 1, state["step.p"].item<long>());
            Assert.Equal(0, state["step.frozen"].item<long>()); // PyTorch counts steps per parameter, with a gradient only
        }

        // ε matters in entry 2 (|ĝ| ≈ 1e-7 ≈ 10 ε): dropping it would move that entry by far more than the tolerance.
        Assert.NotEqual(Initial[2] * (1 - Lrs[0] * WeightDecay) - Lrs[0], reference[0].P[2], 3);
    }

    [Fact]
    public void State_round_trip_restores_the_exact_optimizer()
    {
        using var scope = NewDisposeScope();
        var a = tensor(Initial, dtype: ScalarType.Float32).requires_grad_(true);
        using var first = new AdamW(new Dictionary<string, Tensor> { ["p"] = a }, WeightDecay);
        for (int t = 0; t < 2; t++)
        {
            first.ZeroGrad();
            SetGrad(a, Grads[t]);
            first.Step(Lrs[t]);
        }
        var saved = TestSupport.DeepCopy(first.StateTensors());
        Assert.Equal(["exp_avg.p", "exp_avg_sq.p", "step.p"], saved.Keys.Order(StringComparer.Ordinal));

        var b = a.detach().clone().requires_grad_(true);
        using var resumed = new AdamW(new Dictionary<string, Tensor> { ["p"] = b }, WeightDecay);
        resumed.LoadState(saved);
        Assert.Equal(2, resumed.StateTensors()["step.p"].item<long>());
        TestSupport.AssertAllIdentical(first.StateTensors(), resumed.StateTensors());

        // The state is copied in, not aliased: changing the saved tensors afterwards changes nothing.
        foreach (var tensor in saved.Values) tensor.add_(1);
        TestSupport.AssertAllIdentical(first.StateTensors(), resumed.StateTensors());

        // A fresh optimizer on the same weights is the control: without the state its third step differs.
        var c = a.detach().clone().requires_grad_(true);
        using var fresh = new AdamW(new Dictionary<string, Tensor> { ["p"] = c }, WeightDecay);

        first.ZeroGrad();
        SetGrad(a, Grads[2]);
        first.Step(Lrs[2]);
        SetGrad(b, Grads[2]);
        resumed.Step(Lrs[2]);
        SetGrad(c, Grads[2]);
        fresh.Step(Lrs[2]);

        Assert.True(TensorAssert.Identical(a, b));
        TestSupport.AssertAllIdentical(first.StateTensors(), resumed.StateTensors());
        Assert.False(TensorAssert.Identical(a, c));
    }

    [Fact]
    public void Zero_grad_clears_gradients()
    {
        using var scope = NewDisposeScope();
        var p = tensor(Initial, dtype: ScalarType.Float32).requires_grad_(true);
        using var optimizer = new AdamW(new Dictionary<string, Tensor> { ["p"] = p }, WeightDecay);
        SetGrad(p, Grads[0]);
        optimizer.ZeroGrad();
        Assert.True(p.grad!.eq(0).all().item<bool>());
    }

    private static void AssertClose(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance,
                $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }
}

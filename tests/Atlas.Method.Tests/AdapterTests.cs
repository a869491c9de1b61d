using Atlas.Method.Adapters;
using static Atlas.Method.Tests.Fixtures;
using static TorchSharp.torch;

namespace Atlas.Method.Tests;

public class AdapterTests
{
    [Fact]
    public void Tip_cache_term_is_exp_of_minus_beta_times_one_minus_cosine()
    {
        using var scope = NewDisposeScope();
        // Keys e₁ (class 0) and e₂ (class 1); the query at 60° has cosines 1/2 and √3/2. The features are given at
        // scale 2 to check that both keys and queries are normalised.
        var features = tensor(new[] { 2f, 0, 0, 2 }, 2, 2);
        var labels = tensor(new long[] { 0, 1 });
        var trained = TipAdapter.Initialize(features, labels, classes: 2);
        var values = TipAdapter.Values(labels, 2);
        Assert.Equal([1f, 0, 0, 1], Floats(trained[TipAdapter.Keys]));
        Assert.Equal(1f, trained[TipAdapter.Beta].item<float>());
        Assert.Equal(2f, trained[TipAdapter.Alpha].item<float>());

        using (no_grad()) trained[TipAdapter.Beta].fill_(3.0);
        var query = tensor(new[] { 3 * 0.5f, 3 * (float)Math.Sqrt(0.75) }, 1, 2);
        double[] expected = [Math.Exp(-3 * (1 - 0.5)), Math.Exp(-3 * (1 - Math.Sqrt(0.75)))];
        var cache = Doubles(TipAdapter.CacheLogits(trained, query, values));
        Assert.Equal(expected[0], cache[0], 6);
        Assert.Equal(expected[1], cache[1], 6);

        var zeroShot = tensor(new[] { 10f, -4f }, 1, 2);
        var logits = Doubles(TipAdapter.Logits(trained, query, zeroShot, values));
        Assert.Equal(10 + 2 * expected[0], logits[0], 5);
        Assert.Equal(-4 + 2 * expected[1], logits[1], 5);
    }

    [Fact]
    public void Tip_cache_term_peaks_at_each_training_sample_own_class()
    {
        using var scope = NewDisposeScope();
        var (features, labels) = Clusters(classes: 4, shots: 3, dim: 8, seed: 2);
        var trained = TipAdapter.Initialize(features, labels, 4);
        var cache = TipAdapter.CacheLogits(trained, features, TipAdapter.Values(labels, 4));
        Assert.Equal(Doubles(labels.to(ScalarType.Float64)), Doubles(cache.argmax(1).to(ScalarType.Float64)));
        // Keys are copies: training them cannot touch the cached features.
        using (no_grad()) trained[TipAdapter.Keys].zero_();
        Assert.True(features.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Tip_parameters_all_receive_gradients()
    {
        using var scope = NewDisposeScope();
        var (features, labels) = Clusters(classes: 3, shots: 2, dim: 6, seed: 4);
        var trained = TipAdapter.Initialize(features, labels, 3);
        var zeroShot = zeros(features.shape[0], 3);
        nn.functional.cross_entropy(TipAdapter.Logits(trained, features, zeroShot, TipAdapter.Values(labels, 3)), labels).backward();
        Assert.All(trained, p => Assert.True(p.Value.grad!.abs().sum().item<float>() > 0, p.Key));
    }

    [Fact]
    public void Lpp_initialisation_matches_a_hand_example()
    {
        using var scope = NewDisposeScope();
        // Head 100·I: the text weights Wt are the identity, so F·Wt = F. Class 0 has (1, 0) and (0.6, 0.8); class 1
        // has (0, 1). Weight rows are per-class sums: (1.6, 0.8) and (0, 1). Own-class similarities: class 0
        // mean(1, 0.6) = 0.8, class 1 mean(1) = 1 → α = 250·(0.8 + 1)/2 = 225 for both classes.
        var features = tensor(new[] { 1f, 0, 0.6f, 0.8f, 0, 1 }, 3, 2);
        var labels = tensor(new long[] { 0, 0, 1 });
        var head = tensor(new[] { 100f, 0, 0, 100 }, 2, 2);
        var trained = LinearProbePlusPlus.Initialize(features, labels, head);
        AssertClose([1.6, 0.8, 0, 1], Doubles(trained[LinearProbePlusPlus.Weight]), 6);
        Assert.Equal([0f, 0f], Floats(trained[LinearProbePlusPlus.Bias]));
        AssertClose([225, 225], Doubles(trained[LinearProbePlusPlus.Alpha]), 4);

        // f = (0.6, 0.8), z = 100·f·ŵ = (60, 80): f·Wᵀ = (1.6, 0.8), plus 225·(0.6, 0.8) = (135, 180).
        var query = tensor(new[] { 0.6f, 0.8f }, 1, 2);
        var logits = LinearProbePlusPlus.Logits(trained, query, ZeroShotHead.Logits(query, head));
        AssertClose([136.6, 180.8], Doubles(logits), 3);

        // FᵀF = [[1.36, 0.48], [0.48, 1.64]]: trace 3, determinant 2 → λ_max = 2, lr = 4·3/2 = 6.
        Assert.Equal(6, LinearProbePlusPlus.WeightLearningRate(features), 5);
        // Column sums of (F·Wt)² are 1.36 and 1.64 → lr_α = 3 / (4·1.64).
        Assert.Equal(3 / (4 * 1.64), LinearProbePlusPlus.AlphaLearningRate(features, head), 5);
    }

    [Fact]
    public void Lpp_alpha_is_trainable()
    {
        using var scope = NewDisposeScope();
        var (features, labels) = Clusters(classes: 3, shots: 2, dim: 6, seed: 5);
        var head = Clusters(classes: 3, shots: 1, dim: 6, seed: 6).Features * 100;
        var trained = LinearProbePlusPlus.Initialize(features, labels, head);
        var alpha = trained[LinearProbePlusPlus.Alpha];
        Assert.True(alpha.requires_grad);
        var before = Doubles(alpha);

        var logits = LinearProbePlusPlus.Logits(trained, features, ZeroShotHead.Logits(features, head));
        nn.functional.cross_entropy(logits, labels).backward();
        Assert.True(alpha.grad!.abs().sum().item<float>() > 0);
        using (no_grad()) alpha.sub_(alpha.grad * 10.0);
        Assert.NotEqual(before, Doubles(alpha));
    }

    [Fact]
    public void Lpp_rejects_a_class_without_cached_features()
    {
        using var scope = NewDisposeScope();
        var features = tensor(new[] { 1f, 0, 0, 1 }, 2, 2);
        var head = tensor(new[] { 100f, 0, 0, 100, 70, 70 }, 3, 2);
        var error = Assert.Throws<ArgumentException>(() => LinearProbePlusPlus.Initialize(features, tensor(new long[] { 0, 1 }), head));
        Assert.Contains("class", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => LinearProbePlusPlus.Initialize(features, tensor(new long[] { 0, 3 }), head));
        Assert.Throws<ArgumentException>(() => LinearProbePlusPlus.Initialize(features, tensor(new long[] { 0 }), head));
    }

    [Fact]
    public void Linear_probe_starts_at_zero_shot_or_at_zero()
    {
        using var scope = NewDisposeScope();
        var (features, labels) = Clusters(classes: 3, shots: 2, dim: 6, seed: 7);
        var head = Clusters(classes: 3, shots: 1, dim: 6, seed: 8).Features * 100;
        var trained = LinearProbe.Initialize(head, fromZeroShot: true);
        var logits = LinearProbe.Logits(trained, features * 3);
        Assert.True(logits.allclose(ZeroShotHead.Logits(features, head), rtol: 1e-5, atol: 1e-4));
        using (no_grad()) head.zero_();
        Assert.True(trained[LinearProbe.Weight].abs().sum().item<float>() > 0, "the probe must copy the head");

        var zero = LinearProbe.Initialize(head, fromZeroShot: false);
        var zeroLogits = LinearProbe.Logits(zero, features);
        Assert.Equal(0f, zeroLogits.abs().max().item<float>());
        nn.functional.cross_entropy(zeroLogits, labels).backward();
        Assert.True(zero[LinearProbe.Weight].grad!.abs().sum().item<float>() > 0);
    }

    /// <summary>L2-normalised features around one random prototype per class, labels 0..C−1 repeated per shot.</summary>
    private static (Tensor Features, Tensor Labels) Clusters(int classes, int shots, int dim, long seed)
    {
        using var generator = new Generator((ulong)seed);
        var prototypes = randn([classes, 1, dim], generator: generator);
        var noisy = prototypes + 0.1 * randn([classes, shots, dim], generator: generator);
        var features = nn.functional.normalize(noisy.reshape(classes * shots, dim), p: 2, dim: -1);
        var labels = arange(classes, dtype: ScalarType.Int64).repeat_interleave(shots);
        return (features, labels);
    }

    private static void AssertClose(double[] expected, double[] actual, int precision)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], precision);
    }
}

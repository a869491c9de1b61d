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

    // LP++ hand example. Head scale 5 (not CLIP's 100): text directions t0 = (1, 0), t1 = (0, 1), t2 = (0.6, 0.8), rows
    // 5·t. Class 0 has (1, 0) and (0.6, 0.8); class 1 has (0, 2) (normalised to (0, 1)); class 2 has (0.8, 0.6).
    private static (Tensor Features, Tensor Labels, Tensor Head) LppExample() => (
        tensor(new[] { 1f, 0, 0.6f, 0.8f, 0, 2, 0.8f, 0.6f }, 4, 2),
        tensor(new long[] { 0, 0, 1, 2 }),
        tensor(new[] { 5f, 0, 0, 5, 3, 4 }, 3, 2));

    [Fact]
    public void Lpp_initialisation_matches_a_hand_example_with_a_head_scale_of_5()
    {
        using var scope = NewDisposeScope();
        var (features, labels, head) = LppExample();
        Assert.Equal(5, LinearProbePlusPlus.HeadScale(head), 6);
        var trained = LinearProbePlusPlus.Initialize(features, labels, head, perClassAlpha: true, seed: 1);
        // Weight rows are per-class sums of the normalised features: (1.6, 0.8), (0, 1), (0.8, 0.6).
        AssertClose([1.6, 0.8, 0, 1, 0.8, 0.6], Doubles(trained[LinearProbePlusPlus.Weight]), 6);
        // Own-class similarities: class 0 mean(1, 0.6) = 0.8, class 1 mean(1) = 1, class 2 0.8·0.6 + 0.6·0.8 = 0.96,
        // so α = 250·(0.8, 1, 0.96) = (200, 250, 240). (Dividing the head by 100 would give 12.5 times less; the
        // class mean would give 230 for all three.)
        AssertClose([200, 250, 240], Doubles(trained[LinearProbePlusPlus.Alpha]), 4);

        // f = (0.6, 0.8): z = head·f = (3, 4, 5), z/5 = (0.6, 0.8, 1); f·Wᵀ = (1.6, 0.8, 0.96); with b = 0 the logits are
        // (1.6 + 200·0.6, 0.8 + 250·0.8, 0.96 + 240·1) = (121.6, 200.8, 240.96).
        using (no_grad()) trained[LinearProbePlusPlus.Bias].zero_();
        var query = tensor(new[] { 0.6f, 0.8f }, 1, 2);
        var logits = LinearProbePlusPlus.Logits(trained, query, ZeroShotHead.Logits(query, head), headScale: 5);
        AssertClose([121.6, 200.8, 240.96], Doubles(logits), 3);

        // FᵀF = [[2, 0.96], [0.96, 2]] → λ_max = 2.96, lr_w = 4·4/2.96.
        Assert.Equal(16 / 2.96, LinearProbePlusPlus.WeightLearningRate(features), 5);
        // Similarities to (t0, t1, t2) per row: (1, 0, 0.6), (0.6, 0.8, 1), (0, 1, 0.8), (0.8, 0.6, 0.96); column sums
        // of squares 2, 2, 2.9216 → lr_α = 4 / (4·2.9216).
        Assert.Equal(1 / 2.9216, LinearProbePlusPlus.AlphaLearningRate(features, head), 5);
    }

    [Fact]
    public void Lpp_class_mean_alpha_gives_every_class_the_mean_of_the_own_class_similarities()
    {
        using var scope = NewDisposeScope();
        var (features, labels, head) = LppExample();
        var trained = LinearProbePlusPlus.Initialize(features, labels, head, perClassAlpha: false, seed: 1);
        // 250·mean(0.8, 1, 0.96) = 230 (the released codes' calculate_init_alpha).
        AssertClose([230, 230, 230], Doubles(trained[LinearProbePlusPlus.Alpha]), 4);
    }

    [Fact]
    public void Lpp_bias_starts_like_nn_linear_uniform_within_one_over_root_d_and_seeded()
    {
        using var scope = NewDisposeScope();
        var (features, labels, head) = LppExample();
        var first = Doubles(LinearProbePlusPlus.Initialize(features, labels, head, perClassAlpha: true, seed: 3)[LinearProbePlusPlus.Bias]);
        var again = Doubles(LinearProbePlusPlus.Initialize(features, labels, head, perClassAlpha: true, seed: 3)[LinearProbePlusPlus.Bias]);
        var other = Doubles(LinearProbePlusPlus.Initialize(features, labels, head, perClassAlpha: true, seed: 4)[LinearProbePlusPlus.Bias]);
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.All(first.Concat(other), b => Assert.InRange(Math.Abs(b), 1e-9, 1 / Math.Sqrt(2)));
    }

    [Fact]
    public void Lpp_head_scale_requires_rows_of_one_norm()
    {
        using var scope = NewDisposeScope();
        // The mini's heads: min(exp(logit_scale), 100) times unit rows, e.g. 13.93.
        var unit = nn.functional.normalize(Clusters(classes: 3, shots: 1, dim: 6, seed: 6).Features, p: 2, dim: -1);
        Assert.Equal(13.93, LinearProbePlusPlus.HeadScale(unit * 13.93), 4);
        var uneven = tensor(new[] { 100f, 0, 0, 100, 70, 70 }, 3, 2); // norms 100, 100, 98.99
        var error = Assert.Throws<ArgumentException>(() => LinearProbePlusPlus.HeadScale(uneven));
        Assert.Contains("norm", error.Message);
        var (features, labels, _) = LppExample();
        Assert.Throws<ArgumentException>(() => LinearProbePlusPlus.Initialize(features, tensor(new long[] { 0, 0, 1, 2 }), uneven, true, 1));
        Assert.Throws<ArgumentException>(() => LinearProbePlusPlus.AlphaLearningRate(features, uneven));
    }

    [Fact]
    public void Lpp_alpha_is_trainable()
    {
        using var scope = NewDisposeScope();
        var (features, labels) = Clusters(classes: 3, shots: 2, dim: 6, seed: 5);
        var head = nn.functional.normalize(Clusters(classes: 3, shots: 1, dim: 6, seed: 6).Features, p: 2, dim: -1) * 13.93;
        var trained = LinearProbePlusPlus.Initialize(features, labels, head, perClassAlpha: true, seed: 1);
        var alpha = trained[LinearProbePlusPlus.Alpha];
        Assert.True(alpha.requires_grad);
        var before = Doubles(alpha);

        var logits = LinearProbePlusPlus.Logits(trained, features, ZeroShotHead.Logits(features, head), LinearProbePlusPlus.HeadScale(head));
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
        var head = tensor(new[] { 100f, 0, 0, 100, 60, 80 }, 3, 2);
        var error = Assert.Throws<ArgumentException>(() => LinearProbePlusPlus.Initialize(features, tensor(new long[] { 0, 1 }), head, true, 1));
        Assert.Contains("class", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => LinearProbePlusPlus.Initialize(features, tensor(new long[] { 0, 3 }), head, true, 1));
        Assert.Throws<ArgumentException>(() => LinearProbePlusPlus.Initialize(features, tensor(new long[] { 0 }), head, true, 1));
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

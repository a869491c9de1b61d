using Atlas.Method;
using static TorchSharp.torch;

namespace Atlas.Training.Tests;

public class ZeroShotHeadTests
{
    // [C=2, M=2, E=2]: class 0 has templates (3, 4) and (1, 0); class 1 has (0, 2) and (−1, 1).
    private static readonly double[][][] Embeddings =
    [
        [[3, 4], [1, 0]],
        [[0, 2], [-1, 1]],
    ];

    private static double[] Normalise(double[] v)
    {
        double norm = Math.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }

    private static double[] ExpectedRow(double[][] templates, double scale)
    {
        var normalised = templates.Select(Normalise).ToArray();
        var mean = Enumerable.Range(0, 2).Select(e => normalised.Average(t => t[e])).ToArray();
        return Normalise(mean).Select(x => x * scale).ToArray();
    }

    private static Tensor EmbeddingTensor() =>
        tensor(Embeddings.SelectMany(c => c.SelectMany(t => t)).Select(x => (float)x).ToArray(), 2, 2, 2);

    [Fact]
    public void Rows_are_the_scaled_normalised_mean_of_normalised_template_embeddings()
    {
        using var scope = NewDisposeScope();
        const double scale = 12.5;
        var head = ZeroShotHead.Build(EmbeddingTensor(), scale);

        Assert.Equal([2L, 2], head.shape);
        Assert.False(head.requires_grad);
        var actual = TestSupport.Doubles(head);
        // Class 0: mean((0.6, 0.8), (1, 0)) = (0.8, 0.4) → (2, 1)/√5; class 1: mean((0, 1), (−1, 1)/√2).
        Assert.Equal(12.5 * 2 / Math.Sqrt(5), actual[0], 5);
        Assert.Equal(12.5 * 1 / Math.Sqrt(5), actual[1], 5);
        for (int c = 0; c < 2; c++)
        {
            var expected = ExpectedRow(Embeddings[c], scale);
            for (int e = 0; e < 2; e++) Assert.Equal(expected[e], actual[c * 2 + e], 5);
        }
    }

    [Fact]
    public void Template_norms_do_not_weight_the_average()
    {
        using var scope = NewDisposeScope();
        // Scaling one template's embedding must not change the head (each template is normalised first).
        var scaled = EmbeddingTensor().clone();
        scaled[0, 0].mul_(100);
        Assert.True(ZeroShotHead.Build(EmbeddingTensor(), 3).allclose(ZeroShotHead.Build(scaled, 3), rtol: 1e-6, atol: 1e-6));
    }

    [Fact]
    public void Logits_are_head_times_normalised_features_without_bias()
    {
        using var scope = NewDisposeScope();
        const double scale = 12.5;
        var head = ZeroShotHead.Build(EmbeddingTensor(), scale);
        double[][] features = [[1, 2], [-3, 0.5], [0.25, -4]];
        var logits = ZeroShotHead.Logits(tensor(features.SelectMany(f => f).Select(x => (float)x).ToArray(), 3, 2), head);

        Assert.Equal([3L, 2], logits.shape);
        var actual = TestSupport.Doubles(logits);
        for (int n = 0; n < features.Length; n++)
        {
            var f = Normalise(features[n]);
            for (int c = 0; c < 2; c++)
            {
                var w = ExpectedRow(Embeddings[c], scale);
                Assert.Equal(w[0] * f[0] + w[1] * f[1], actual[n * 2 + c], 5);
            }
        }

        // No bias: a feature orthogonal to a row gives exactly that row's logit 0 (up to rounding).
        var row0 = ExpectedRow(Embeddings[0], 1);
        var orthogonal = tensor(new[] { (float)-row0[1], (float)row0[0] }, 1, 2);
        Assert.Equal(0, ZeroShotHead.Logits(orthogonal, head)[0, 0].item<float>(), 5);
    }

    [Fact]
    public void Logits_are_invariant_to_the_scale_of_the_image_features()
    {
        using var scope = NewDisposeScope();
        var head = ZeroShotHead.Build(EmbeddingTensor(), 7);
        var features = tensor(new float[] { 1, 2, -3, 0.5f, 0.25f, -4 }, 3, 2);
        var reference = ZeroShotHead.Logits(features, head);
        foreach (var factor in new[] { 1e-3, 0.5, 9.0, 1e4 })
            Assert.True(reference.allclose(ZeroShotHead.Logits(features * factor, head), rtol: 1e-5, atol: 1e-5), $"factor {factor}");
        // ... but not to the sign.
        Assert.False(reference.allclose(ZeroShotHead.Logits(-features, head), rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void Rejects_embeddings_that_are_not_three_dimensional()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => ZeroShotHead.Build(ones(2, 2), 1));
    }
}

using Atlas.Method.Composition;
using static TorchSharp.torch;

namespace Atlas.Method.Tests;

public class LossTests
{
    [Fact]
    public void Regularizer_matches_hand_values()
    {
        using var scope = NewDisposeScope();
        // Columns (1, 3) and (−2, 4): L1 norms 4 and 6, L2 norms √10 and √20.
        var coefficients = tensor(new[] { 1f, -2f, 3f, 4f }, 2, 2);
        Assert.Equal(0.5 * (4 + 6) / 2, new CoefficientRegularizer(0.5, 1).Penalty(coefficients).item<float>(), 5);
        Assert.Equal(0.5 * (Math.Sqrt(10) + Math.Sqrt(20)) / 2, new CoefficientRegularizer(0.5, 2).Penalty(coefficients).item<float>(), 5);
        // Partitioned Λ [T, P, K]: the norm runs over tasks, the mean over (block, partition).
        Assert.Equal(2.5, new CoefficientRegularizer(0.5, 1).Penalty(coefficients.view(2, 1, 2)).item<float>(), 5);
        Assert.Equal(CoefficientRegularizer.PaperGamma, new CoefficientRegularizer().Gamma);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CoefficientRegularizer(0.5, 3));
    }

    [Fact]
    public void Regularizer_gradient_is_finite_at_zero()
    {
        using var scope = NewDisposeScope();
        foreach (int p in new[] { 1, 2 })
        {
            var coefficients = zeros([3, 4], requires_grad: true);
            var penalty = new CoefficientRegularizer(0.5, p).Penalty(coefficients);
            Assert.Equal(0f, penalty.item<float>());
            penalty.backward();
            Assert.True(coefficients.grad!.isfinite().all().item<bool>(), $"p = {p}");
        }
    }

    [Fact]
    public void Entropy_of_uniform_and_one_hot_predictions()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(Math.Log(5), EntropyLoss.Mean(zeros(4, 5)).item<float>(), 5);
        var oneHot = tensor(new[] { 0f, float.NegativeInfinity, float.NegativeInfinity }, 1, 3).requires_grad_(true);
        var entropy = EntropyLoss.Mean(oneHot);
        Assert.Equal(0f, entropy.item<float>());
        entropy.backward();
        Assert.True(oneHot.grad!.isfinite().all().item<bool>());
        Assert.Equal(0, EntropyLoss.Mean(tensor(new[] { 1e4f, 0, 0 }, 1, 3)).item<float>(), 6);
        // Mean over rows: a uniform row (ln 5) and a one-hot row (0); a two-way split gives ln 2.
        var rows = cat([zeros(1, 5), tensor(new[] { 0f, float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity }, 1, 5)]);
        Assert.Equal(Math.Log(5) / 2, EntropyLoss.Mean(rows).item<float>(), 5);
        Assert.Equal(Math.Log(2), EntropyLoss.Mean(tensor(new[] { 2f, 2f, float.NegativeInfinity }, 1, 3)).item<float>(), 5);
        Assert.Equal([2L], EntropyLoss.PerRow(rows).shape);
    }

    [Fact]
    public void Entropy_sums_one_mean_per_batch()
    {
        using var scope = NewDisposeScope();
        // Rows: uniform (H = ln 2), certain (H = 0), uniform (ln 2). Batches of 2: (ln 2 + 0)/2 + ln 2 = 1.5 ln 2, where
        // one mean over all rows would give (2/3) ln 2. Two full batches: 2 × the mean, AdaMerging's two-batch loss.
        var logits = tensor(new[] { 0f, 0f, 1e4f, 0f, 0f, 0f }, 3, 2);
        Assert.Equal(1.5 * Math.Log(2), EntropyLoss.SumOfBatchMeans(logits, 2).item<float>(), 5);
        var four = tensor(new[] { 0f, 0f, 1e4f, 0f, 0f, 0f, 0f, 0f }, 4, 2);
        Assert.Equal(2 * 0.75 * Math.Log(2), EntropyLoss.SumOfBatchMeans(four, 2).item<float>(), 5);
        Assert.Equal(0.75 * Math.Log(2), EntropyLoss.SumOfBatchMeans(four, 4).item<float>(), 5);
    }
}

using Atlas.Training.Composition;
using static TorchSharp.torch;

namespace Atlas.Training.Tests;

/// <summary>The gradient-free objective: each evaluation is one fresh pass over the augmented batch stream, scored as the
/// release's <c>learn_coef_gfree.py</c> scores it (Σ over the pass's batches of the batch-mean cross-entropy).</summary>
public class PassCrossEntropyTests
{
    // 12 items, batches of 4, 3 batches a pass: a pass is exactly one permutation of the items, so its value does not
    // depend on the shuffle. Item i is the constant image (i + 1)/32 (any crop or flip keeps it), labelled i mod 2; the
    // model's logits are [0, 8·mean(image)] = [0, (i + 1)/4], so CE_i = ln(1 + e^{(i+1)/4}) − [i odd]·(i + 1)/4 and a
    // pass scores Σ_i CE_i / 4. Expected value computed independently in Python (math module):
    //   sum(log(1 + exp((i+1)/4)) - ((i+1)/4 if i % 2 else 0) for i in range(12)) / 4 = 2.945073713071874.
    // The old objective, the mean CE over the un-augmented shots, is Σ_i CE_i / 12 = 0.9816912376906246.
    private const double ExpectedPass = 2.945073713071874;

    [Fact]
    public void Each_evaluation_sums_the_batch_mean_cross_entropy_of_one_fresh_augmented_pass()
    {
        using var scope = NewDisposeScope();
        var images = (arange(1, 13, dtype: ScalarType.Float32) / 32).view(12, 1, 1, 1).expand(12, 1, 14, 14).contiguous();
        var labels = arange(12, dtype: ScalarType.Int64) % 2;
        var batches = new ImageBatches(images, labels, batchSize: 4, cropScale: (0.5, 1.0), seed: 5, flipProbability: 0.5);
        var objective = new PassCrossEntropy(batches, stepsPerPass: 3);

        var seen = new List<double[]>();
        Tensor Logits(Tensor batch)
        {
            var means = batch.mean([1, 2, 3]);
            seen.Add(means.to(ScalarType.Float64).data<double>().ToArray());
            return stack([zeros_like(means), means * 8], 1);
        }

        double first = objective.Next(Logits);
        Assert.Equal(ExpectedPass, first, 5);
        Assert.Equal(1, objective.Passes);
        Assert.Equal(3, seen.Count);
        // One pass holds every item once.
        Assert.Equal(Enumerable.Range(1, 12).Select(i => i / 32.0), seen.SelectMany(b => b).Order().Select(v => Math.Round(v * 32) / 32));

        double second = objective.Next(Logits);
        Assert.Equal(ExpectedPass, second, 5);
        Assert.Equal(2, objective.Passes);
        // The second evaluation reads the stream's next pass (steps 3..5), in its own order.
        for (int step = 0; step < 6; step++)
            Assert.Equal(batches.At(step).Images.mean([1, 2, 3]).to(ScalarType.Float64).data<double>().ToArray(), seen[step], new ToleranceComparer(1e-6));
        Assert.NotEqual(seen.Take(3).SelectMany(b => b), seen.Skip(3).SelectMany(b => b));
    }

    [Fact]
    public void A_pass_needs_a_batch()
    {
        using var scope = NewDisposeScope();
        var batches = new ImageBatches(zeros(4, 1, 14, 14), zeros(4, dtype: ScalarType.Int64), 2, null, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PassCrossEntropy(batches, 0));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}

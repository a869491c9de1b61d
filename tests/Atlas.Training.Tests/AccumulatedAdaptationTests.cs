using Atlas.Training.Adaptation;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Atlas.Training.Tests;

/// <summary>
/// Gradient accumulation of the test-time objectives whose loss is a mean over a data-dependent subset of the batch
/// (UFM's confident rows, SAR's reliable samples): cut into k parts, each normalised by the whole batch's count, the
/// accumulated gradient and the SAR step equal the whole batch's (float64 toys, so the differences are rounding only),
/// even where the parts hold different counts, which is where a per-part mean would differ.
/// </summary>
public sealed class AccumulatedAdaptationTests(ITestOutputHelper output)
{
    private const double Float64Tolerance = 1e-12;

    /// <summary>8 rows of 3 classes; weak logits with confident rows 0, 1, 2 only, rows 6 and 7 trusted (so the halves hold 3 and 2
    /// passing rows at threshold 0.8).</summary>
    private static (Tensor Weak, Tensor Strong, Tensor Trusted, Tensor Labels) UfmBatch()
    {
        var weak = tensor(new double[,]
        {
            { 6, 0, 0 }, { 0, 7, 0 }, { 0, 0, 8 }, { 0.1, 0, 0 },
            { 0, 0.2, 0 }, { 0.1, 0, 0 }, { 0.3, 0, 0 }, { 0, 0, 0.4 },
        });
        var strong = tensor(new double[,]
        {
            { 1, 2, 0 }, { 0.5, -1, 2 }, { 0, 0, 1 }, { 3, 1, -2 },
            { 0.2, 0.1, 0 }, { -1, 0, 1 }, { 2, 2, 1 }, { 0, 1, 0.5 },
        });
        var trusted = tensor(new[] { false, false, false, false, false, false, true, true });
        var labels = tensor(new long[] { 0, 0, 0, 0, 0, 0, 2, 1 });
        return (weak, strong, trusted, labels);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Ufm_parts_normalised_by_the_whole_batch_sum_to_the_whole_batch_loss_and_gradient(int parts)
    {
        using var scope = NewDisposeScope();
        var (weak, strongValues, trusted, labels) = UfmBatch();
        const double threshold = 0.8, temperature = 2;

        var whole = strongValues.clone().requires_grad_(true);
        var wholeLoss = UfmAdaptation.UfmLoss(weak, whole, trusted, labels, threshold, temperature);
        wholeLoss.backward();

        var cut = strongValues.clone().requires_grad_(true);
        long size = 8 / parts;
        double accumulated = 0, perPartMeans = 0;
        for (int micro = 0; micro < parts; micro++)
        {
            var part = UfmAdaptation.UfmLossOfPart(weak, cut.narrow(0, micro * size, size), trusted, labels, threshold, temperature, micro, parts);
            accumulated += part.item<double>() / parts;
            (part / parts).backward();
            // The per-part weighted mean (what the part alone would give) over the same rows, for contrast.
            var rows = Enumerable.Range(micro * (int)size, (int)size).Select(i => (long)i).ToArray();
            using var idx = tensor(rows);
            perPartMeans += UfmAdaptation.UfmLoss(weak.index_select(0, idx), strongValues.index_select(0, idx), trusted.index_select(0, idx),
                labels.index_select(0, idx), threshold, temperature).item<double>() / parts;
        }

        double lossError = Math.Abs(accumulated - wholeLoss.item<double>());
        double gradError = (cut.grad! - whole.grad!).abs().max().item<double>();
        output.WriteLine($"k = {parts}: |Δloss| {lossError:E2}, max |Δgrad| {gradError:E2}; per-part means would give {perPartMeans:F6} vs {wholeLoss.item<double>():F6}");
        Assert.True(Math.Abs(perPartMeans - wholeLoss.item<double>()) > 1e-3, "the parts' passing counts are equal: the test would not tell the normalisations apart");
        Assert.True(lossError <= Float64Tolerance, $"loss differs by {lossError:E2}");
        Assert.True(gradError <= Float64Tolerance, $"gradient differs by {gradError:E2}");
    }

    [Fact]
    public void Ufm_single_part_is_the_whole_batch_loss_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        var (weak, strong, trusted, labels) = UfmBatch();
        Assert.Equal(UfmAdaptation.UfmLoss(weak, strong, trusted, labels, 0.8, 2).item<double>(),
            UfmAdaptation.UfmLossOfPart(weak, strong, trusted, labels, 0.8, 2, 0, 1).item<double>());
    }

    /// <summary>A linear toy: logits = X·W over 8 samples, 4 features, 3 classes; the samples' scales make some
    /// confident (reliable) and some not, unevenly between the halves.</summary>
    private static Tensor Samples() => tensor(new double[,]
    {
        { 3, 0, 1, 0 }, { 0, 4, 0, 1 }, { 2, 2, 0, 0 }, { 0.1, 0, 0.2, 0 },
        { 0, 0.1, 0, 0.1 }, { 0.2, 0.1, 0, 0 }, { 0, 0, 0.1, 0.3 }, { 1, 0, 3, 0 },
    });

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Sar_over_parts_takes_the_whole_batch_steps(int parts)
    {
        using var scope = NewDisposeScope();
        var x = Samples();
        var initial = new Dictionary<string, Tensor>
        {
            ["w"] = tensor(new double[,] { { 1.5, -0.5, 0 }, { -0.5, 1.2, 0.3 }, { 0.2, 0.1, 1.4 }, { 0, 0.8, -0.4 } }),
        };
        var settings = new SarSettings(Lr: 0.5, Rho: 0.05, Margin: 0.4, ResetThreshold: 0, Momentum: 0.9, EmaDecay: 0.9);
        long size = 8 / parts;

        // Reliable samples at the start (entropy below 0.4·ln 3): the first half holds more than the second.
        var p = nn.functional.softmax(x.matmul(initial["w"]), 1);
        var reliable = (-(p * p.log()).sum(1)).lt(0.4 * Math.Log(3));
        int firstHalf = (int)reliable.narrow(0, 0, 4).sum().item<long>(), secondHalf = (int)reliable.narrow(0, 4, 4).sum().item<long>();
        Assert.NotEqual(firstHalf, secondHalf);
        Assert.True(secondHalf > 0 || firstHalf > 0);

        var (whole, wholeTrace) = SarAdaptation.Run(initial, (t, _) => x.matmul(t["w"]), 4, settings);
        var (cut, cutTrace) = SarAdaptation.Run(initial, (t, _, micro) => x.narrow(0, micro * size, size).matmul(t["w"]), 4, parts, settings);

        Assert.Equal(wholeTrace.Select(s => (s.KeptFirst, s.KeptSecond)), cutTrace.Select(s => (s.KeptFirst, s.KeptSecond)));
        Assert.All(wholeTrace, s => Assert.InRange(s.KeptFirst, 1, 7));
        double moved = (whole["w"] - initial["w"]).abs().max().item<double>();
        double error = (cut["w"] - whole["w"]).abs().max().item<double>();
        double lossError = wholeTrace.Zip(cutTrace).Max(p => Math.Abs(p.First.Loss - p.Second.Loss));
        output.WriteLine($"k = {parts}: max |ΔW| {error:E2} after 4 steps (W moved by {moved:E2}), max |Δloss| {lossError:E2}; kept {string.Join(",", wholeTrace.Select(s => s.KeptFirst))}");
        Assert.True(moved > 1e-3, "SAR did not move W");
        Assert.True(error <= Float64Tolerance, $"W differs by {error:E2}");
        Assert.True(lossError <= Float64Tolerance, $"the first-pass losses differ by {lossError:E2}");
    }
}

using Atlas.Training.Adaptation;
using static TorchSharp.torch;

namespace Atlas.Training.Tests;

/// <summary>SAR's step, filter, EMA and reset against hand-computed values on scalar toys; UFM's trusted sets (the paper's
/// per-predicted-class rule, the main branch's per-column rule, the per-epoch re-estimation), targets, loss
/// normalisation, threshold schedule and two-stream batches.</summary>
public class AdaptationTests
{
    private const int Classes = 10;
    private static readonly double E0 = 0.4 * Math.Log(Classes);

    // ---- SAR ---------------------------------------------------------------------------------------------------------

    /// <summary>Entropy of softmax([z, 0, …, 0]) over <see cref="Classes"/> classes.</summary>
    private static double H(double z)
    {
        double p1 = Math.Exp(z) / (Math.Exp(z) + Classes - 1), q = (1 - p1) / (Classes - 1);
        return -p1 * Math.Log(p1) - (Classes - 1) * q * Math.Log(q);
    }

    /// <summary>dH/dz for the same row: ∂H/∂z_j = −p_j(log p_j + H).</summary>
    private static double DH(double z)
    {
        double p1 = Math.Exp(z) / (Math.Exp(z) + Classes - 1);
        return -p1 * (Math.Log(p1) + H(z));
    }

    /// <summary>A logits row [1, C] = [z, 0, …, 0] for a scalar z [1].</summary>
    private static Tensor Row(Tensor z) => cat([z.reshape(1, 1), zeros(1, Classes - 1, dtype: ScalarType.Float64)], 1);

    private static Dictionary<string, Tensor> Scalars(params (string Name, double Value)[] values) =>
        values.ToDictionary(v => v.Name, v => tensor(new[] { v.Value }, dtype: ScalarType.Float64));

    private static double Value(Tensor t) => t.to_type(ScalarType.Float64).item<double>();

    /// <summary>SAR's released hyper-parameters, written out here (not read from the spec or the code under test).</summary>
    private static SarSettings Sar(double lr, double rho = 0.05, double resetThreshold = 0.2, double emaDecay = 0.9) =>
        new(lr, rho, Margin: 0.4, resetThreshold, Momentum: 0.9, emaDecay);

    /// <summary>UFM as the paper and the ssl branch run it, written out here.</summary>
    private static UfmSettings Ufm(bool perPredictedClassEachEpoch = true, int divisor = 10, int cap = 100) =>
        new(perPredictedClassEachEpoch, divisor, cap, TrustedShare: 0.25, Temperature: 2, ThresholdStart: 0.9, ThresholdRise: 0.1);

    [Fact]
    public void Sar_step_without_reliable_samples_changes_nothing()
    {
        using var scope = NewDisposeScope();
        var initial = Scalars(("x", 1.0));
        // Step 0 is confident (kept, builds momentum); step 1 is uniform: entropy ln 10 is above E0 = 0.4·ln 10 (with the
        // released hard-coded C = 1000, E0 = 2.76 > ln 10 would keep it).
        Tensor Logits(IReadOnlyDictionary<string, Tensor> t, long step) =>
            step == 0 ? Row(t["x"] * 5) : Row(t["x"] * 0);
        var settings = Sar(lr: 0.1);

        var (afterOne, traceOne) = SarAdaptation.Run(initial, Logits, 1, settings, TestSupport.Silent(1));
        var (afterTwo, trace) = SarAdaptation.Run(initial, Logits, 2, settings);

        Assert.True(traceOne[0].Updated);
        Assert.False(TensorAssert.Identical(initial["x"], afterOne["x"]));
        Assert.True(TensorAssert.Identical(afterOne["x"], afterTwo["x"])); // not even the momentum moved it
        Assert.Equal((0, 0, false, false), (trace[1].KeptFirst, trace[1].KeptSecond, trace[1].Updated, trace[1].Reset));
        Assert.True(double.IsNaN(trace[1].Loss) && double.IsNaN(trace[1].SecondLoss));
        Assert.Equal(trace[0].Ema, trace[1].Ema);

        var (untouched, uniformTrace) = SarAdaptation.Run(initial, (t, _) => Row(t["x"] * 0), 1, settings);
        Assert.True(TensorAssert.Identical(initial["x"], untouched["x"]));
        Assert.Null(uniformTrace[0].Ema);
    }

    [Fact]
    public void Sar_perturbation_is_undone_before_the_momentum_step_with_the_perturbed_gradient()
    {
        using var scope = NewDisposeScope();
        const double x0 = 1.0, y0 = 0.5, lr = 0.1, rho = 0.05, c = 13.4;
        var initial = Scalars(("x", x0), ("y", y0));
        // Row 0 = [5x + 3y, 0…] is reliable; row 1 is uniform (never kept); row 2 = [13.4 − 10x, 0…] sits just above E0 at
        // the current x and drops below it at the perturbed x, so the second pass must not pick it up.
        Tensor Logits(IReadOnlyDictionary<string, Tensor> t, long _) =>
            cat([Row(t["x"] * 5 + t["y"] * 3), Row(t["x"] * 0), Row(c - t["x"] * 10)], 0);
        var settings = Sar(lr, rho, resetThreshold: 0); // no reset in this test

        var (adapted, trace) = SarAdaptation.Run(initial, Logits, 2, settings);

        // SAM + SGD(momentum 0.9) by hand: the ascent uses the global norm over both tensors; the base step applies the
        // gradient taken at the perturbed point to the unperturbed tensors.
        double x = x0, y = y0, bufferX = 0, bufferY = 0, naiveX = x0;
        for (int step = 0; step < 2; step++)
        {
            double g = DH(5 * x + 3 * y), gx = 5 * g, gy = 3 * g;
            double scale = rho / (Math.Sqrt(gx * gx + gy * gy) + 1e-12);
            double xp = x + scale * gx, yp = y + scale * gy;
            Assert.True(H(c - 10 * x) > E0, "row 2 must stay out of the first pass");
            if (step == 0) Assert.True(H(c - 10 * xp) < E0, "row 2 must cross E0 under the first perturbation");
            Assert.True(H(5 * xp + 3 * yp) < E0);
            double g2 = DH(5 * xp + 3 * yp);
            bufferX = step == 0 ? 5 * g2 : 0.9 * bufferX + 5 * g2;
            bufferY = step == 0 ? 3 * g2 : 0.9 * bufferY + 3 * g2;
            Assert.Equal((1, 1), (trace[step].KeptFirst, trace[step].KeptSecond));
            Assert.Equal(H(5 * x + 3 * y), trace[step].Loss, 12);
            Assert.Equal(H(5 * xp + 3 * yp), trace[step].SecondLoss, 12);
            if (step == 0) naiveX = x - lr * gx;
            x -= lr * bufferX;
            y -= lr * bufferY;
        }
        Assert.Equal(x, Value(adapted["x"]), 12);
        Assert.Equal(y, Value(adapted["y"]), 12);
        // The reference is sharp enough to tell the perturbed gradient from the plain one.
        var (oneStep, _) = SarAdaptation.Run(initial, Logits, 1, settings);
        Assert.True(Math.Abs(Value(oneStep["x"]) - naiveX) > 1e-3);
    }

    [Fact]
    public void Sar_resets_exactly_when_the_ema_falls_below_the_threshold_and_restores_the_initial_state()
    {
        using var scope = NewDisposeScope();
        var initial = Scalars(("x", 1.0));
        // Ever sharper logits: the second-pass entropy shrinks each step and its EMA crosses 0.2 after a few steps.
        static double Sharpness(long step) => 5 + 4 * step;
        var settings = Sar(lr: 0.1);
        var (_, trace) = SarAdaptation.Run(initial, (t, s) => Row(t["x"] * Sharpness(s)), 30, settings);

        int reset = trace.Select((t, i) => (t, i)).First(p => p.t.Reset).i;
        Assert.True(reset >= 2, $"the reset came at step {reset}; the toy should take a few steps");
        double? ema = null;
        for (int s = 0; s <= reset; s++)
        {
            Assert.True(trace[s].Updated);
            ema = ema is { } e ? 0.9 * e + 0.1 * trace[s].SecondLoss : trace[s].SecondLoss;
            Assert.Equal(ema!.Value, trace[s].Ema!.Value, 12);
            Assert.Equal(ema < settings.ResetThreshold, trace[s].Reset);
        }

        var (beforeReset, _) = SarAdaptation.Run(initial, (t, s) => Row(t["x"] * Sharpness(s)), reset, settings);
        var (atReset, _) = SarAdaptation.Run(initial, (t, s) => Row(t["x"] * Sharpness(s)), reset + 1, settings);
        Assert.False(TensorAssert.Identical(initial["x"], beforeReset["x"]));
        Assert.True(TensorAssert.Identical(initial["x"], atReset["x"]));

        // After the reset the momentum and the EMA are gone too: the next step equals the first step of a fresh run.
        Tensor ThenCalm(IReadOnlyDictionary<string, Tensor> t, long s) => Row(t["x"] * (s <= reset ? Sharpness(s) : 5));
        var (afterReset, resumed) = SarAdaptation.Run(initial, ThenCalm, reset + 2, settings);
        var (fresh, _) = SarAdaptation.Run(initial, (t, _) => Row(t["x"] * 5), 1, settings);
        Assert.True(TensorAssert.Identical(fresh["x"], afterReset["x"]));
        Assert.Equal(resumed[reset + 1].SecondLoss, resumed[reset + 1].Ema);
        Assert.False(resumed[reset + 1].Reset);

        // The EMA's decay is the setting's: with d = 0.5 the second value is (loss2₀ + loss2₁) / 2.
        var (_, halfTrace) = SarAdaptation.Run(initial, (t, s) => Row(t["x"] * Sharpness(s)), 2, Sar(lr: 0.1, resetThreshold: 0, emaDecay: 0.5));
        Assert.Equal((halfTrace[0].SecondLoss + halfTrace[1].SecondLoss) / 2, halfTrace[1].Ema!.Value, 12);
    }

    // ---- UFM: trusted set ----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(40, 2, 2)]
    [InlineData(10_000, 10, 100)]     // capped
    [InlineData(1_000_000, 10, 100)]
    [InlineData(2_000, 10, 20)]
    [InlineData(199, 10, 1)]          // ⌊199/10⌋/10 = 1
    [InlineData(19, 2, 1)]            // 0 → 1 (trap 11)
    [InlineData(5, 3, 1)]
    public void Trusted_per_class_count(int images, int classes, int expected)
    {
        var (k, raised) = TrustedSet.PerClassFor(images, classes, divisor: 10, cap: 100);
        Assert.Equal(expected, k);
        Assert.Equal(images / classes / 10 == 0, raised);
    }

    [Fact]
    public void Trusted_per_class_count_follows_the_divisor_and_the_cap()
    {
        Assert.Equal((6, false), TrustedSet.PerClassFor(2_000, 10, divisor: 30, cap: 100)); // ⌊200/30⌋
        Assert.Equal((7, false), TrustedSet.PerClassFor(2_000, 10, divisor: 10, cap: 7));
        Assert.Equal((1, true), TrustedSet.PerClassFor(2_000, 10, divisor: 500, cap: 100));
    }

    /// <summary>N = 6, C = 3; image 4 is predicted as class 0 but has the highest p(1|x) of all images.</summary>
    private static Tensor SixImages() => tensor(new double[,]
    {
        { 0.70, 0.20, 0.10 }, // 0: ŷ 0 (0.70), tops column 0
        { 0.10, 0.10, 0.80 }, // 1: ŷ 2 (0.80), tops column 2
        { 0.40, 0.30, 0.30 }, // 2: ŷ 0 (0.40)
        { 0.30, 0.40, 0.30 }, // 3: ŷ 1 (0.40), the only image predicted as 1
        { 0.50, 0.45, 0.05 }, // 4: ŷ 0 (0.50), tops column 1
        { 0.35, 0.25, 0.40 }, // 5: ŷ 2 (0.40)
    });

    [Fact]
    public void Trusted_set_per_column_ranks_each_column_over_all_images_and_guards_k_zero()
    {
        using var scope = NewDisposeScope();
        // ⌊6/3/10⌋ = 0, so one image per class (the released slicing [-0:] would take all six).
        var (k, raised) = TrustedSet.PerClassFor(6, 3, divisor: 10, cap: 100);
        Assert.Equal((1, true), (k, raised));
        var set = TrustedSet.PerColumn(SixImages(), k);
        Assert.Equal(1, set.PerClass);
        Assert.Equal([0, 1, 4], set.Trusted);
        Assert.Equal([2, 3, 5], set.Unlabelled);
        Assert.Equal([0L, 2, 0, 1, 0, 2], set.PseudoLabels);
        Assert.Equal([0L, 0], set.PseudoLabelsOf([4, 0]).data<long>().ToArray()); // image 4: trusted for column 1, labelled 0
    }

    [Fact]
    public void Trusted_set_per_predicted_class_takes_the_most_confident_images_of_each_predicted_class()
    {
        using var scope = NewDisposeScope();
        // Same six images, k = 1: class 0 is predicted for {0, 2, 4} (most confident 0), class 1 for {3}, class 2 for
        // {1, 5} (most confident 1). Image 3 replaces the per-column rule's image 4, and every trusted image's label is
        // the class it was chosen for.
        var set = TrustedSet.PerPredictedClass(SixImages(), 1);
        Assert.Equal([0, 1, 3], set.Trusted);
        Assert.Equal([2, 4, 5], set.Unlabelled);
        Assert.Equal([0L, 2, 1], set.PseudoLabelsOf([0, 1, 3]).data<long>().ToArray());

        // k = 2 on eight images: the two rules differ in membership and balance.
        var p = tensor(new double[,]
        {
            { 0.90, 0.05, 0.05 }, // 0: ŷ 0 (0.90)
            { 0.80, 0.15, 0.05 }, // 1: ŷ 0 (0.80)
            { 0.60, 0.35, 0.05 }, // 2: ŷ 0 (0.60)
            { 0.55, 0.40, 0.05 }, // 3: ŷ 0 (0.55), second in column 1
            { 0.20, 0.45, 0.35 }, // 4: ŷ 1 (0.45), the only image predicted as 1
            { 0.10, 0.20, 0.70 }, // 5: ŷ 2 (0.70)
            { 0.30, 0.30, 0.40 }, // 6: ŷ 2 (0.40)
            { 0.34, 0.33, 0.33 }, // 7: ŷ 0 (0.34)
        });
        var paper = TrustedSet.PerPredictedClass(p, 2);
        Assert.Equal([0, 1, 4, 5, 6], paper.Trusted); // class 0: {0, 1}; class 1: {4} (only one); class 2: {5, 6}
        Assert.Equal([0L, 0, 1, 2, 2], paper.PseudoLabelsOf(paper.Trusted).data<long>().ToArray());
        var main = TrustedSet.PerColumn(p, 2);
        Assert.Equal([0, 1, 3, 4, 5, 6], main.Trusted); // column 1's top two are 4 (0.45) and 3 (0.40)
        Assert.Equal(0L, main.PseudoLabels[3]);         // trusted for class 1, labelled 0

        // Ties in confidence go to the lower image index.
        var tied = TrustedSet.PerPredictedClass(full(20, 2, 0.5, dtype: ScalarType.Float32), 3);
        Assert.Equal([0, 1, 2], tied.Trusted);
    }

    [Fact]
    public void Trusted_set_per_column_is_a_sorted_distinct_union()
    {
        using var scope = NewDisposeScope();
        // N = 40, C = 2, k = 2. Column 0 holds (7i mod 40 + 0.5)/41: its top two are i = 17 (39) and i = 34 (38), and
        // column 1 = 1 − column 0 ranks i = 0 (0) and i = 23 (1) first.
        var column0 = Enumerable.Range(0, 40).Select(i => (7 * i % 40 + 0.5) / 41).ToArray();
        var p0 = stack([tensor(column0), 1 - tensor(column0)], 1);
        var set = TrustedSet.PerColumn(p0, 2);
        Assert.Equal(2, set.PerClass);
        Assert.Equal([0, 17, 23, 34], set.Trusted);
        Assert.Equal(Enumerable.Range(0, 40).Except([0, 17, 23, 34]), set.Unlabelled);

        // Ties rank by image index, and an image topping several classes is trusted once.
        var tied = TrustedSet.PerColumn(full(20, 2, 0.5, dtype: ScalarType.Float32), 1);
        Assert.Equal([0], tied.Trusted);
        Assert.Equal(19, tied.Unlabelled.Count);
    }

    /// <summary>Twelve images over two classes given p(0|x); p(1|x) = 1 − p(0|x).</summary>
    private static Tensor TwoClasses(params double[] classZero) => stack([tensor(classZero), 1 - tensor(classZero)], 1);

    [Fact]
    public void Ufm_schedule_reestimates_the_trusted_set_from_the_current_model_at_every_epoch()
    {
        using var scope = NewDisposeScope();
        // N = 12, C = 2, d = 1, cap 2 → k = 2; B = 4 → 1 trusted + 3 unlabelled; ⌊(12 − 2·2)/3⌋ = 2 steps per epoch.
        // Epoch 0's model: class 0 predicted for {0, 1, 2, 3, 4, 10}, most confident 0 (0.9) and 1 (0.8); class 1 for
        // {5, 6, 7, 8, 9, 11}, most confident 9 (0.9) and 8 (0.8).
        var before = TwoClasses(0.9, 0.8, 0.7, 0.6, 0.55, 0.45, 0.4, 0.3, 0.2, 0.1, 0.52, 0.48);
        // Epoch 1's model: class 0 for {0, 2, 3, 4, 10}, most confident 2 (0.95) and 4 (0.85); class 1 for
        // {1, 5, 6, 7, 8, 9, 11}, most confident 8 (0.95), then 1 and 9 tie at 0.9 and the lower index wins.
        var after = TwoClasses(0.6, 0.1, 0.95, 0.6, 0.85, 0.45, 0.4, 0.3, 0.05, 0.1, 0.52, 0.48);
        var schedule = new UfmSchedule(12, 2, batchSize: 4, epochs: 2, Ufm(divisor: 1, cap: 2), seed: 3);
        Assert.Equal((2, 1, 2, 4), (schedule.PerClass, schedule.TrustedPerBatch, schedule.StepsPerEpoch, schedule.Steps));

        int calls = 0;
        Tensor Model(Tensor probabilities) { calls++; return probabilities; }
        var batches = Enumerable.Range(0, 4).Select(step => schedule.At(step, () => Model(step < 2 ? before : after))).ToList();

        Assert.Equal(2, calls); // once per epoch, at its first step
        Assert.Equal([0, 1, 8, 9], schedule.Sets[0].Trusted);
        Assert.Equal([1, 2, 4, 8], schedule.Sets[1].Trusted);
        Assert.Equal([0, 0, 1, 1], batches.Select(b => b.Epoch));
        Assert.Equal([0.90, 0.90, 0.95, 0.95], batches.Select(b => Math.Round(b.Threshold, 12)));
        for (int step = 0; step < 4; step++)
        {
            var trusted = step < 2 ? schedule.Sets[0].Trusted : schedule.Sets[1].Trusted;
            Assert.Contains(batches[step].Indices[3], trusted);
            Assert.All(batches[step].Indices[..3], i => Assert.DoesNotContain(i, trusted));
        }
        // Image 1 was trusted as class 0 in epoch 0 and is trusted as class 1 in epoch 1.
        Assert.Equal(0L, schedule.Sets[0].PseudoLabels[1]);
        Assert.Equal(1L, schedule.Sets[1].PseudoLabels[1]);
        Assert.Equal([false, false, false, true], schedule.TrustedMask().data<bool>().ToArray());

        // A set is estimated only at its epoch's first step: no skipping into an epoch.
        var fresh = new UfmSchedule(12, 2, 4, 2, Ufm(divisor: 1, cap: 2), seed: 3);
        Assert.Throws<InvalidOperationException>(() => fresh.At(1, () => before));
    }

    [Fact]
    public void Ufm_schedule_with_the_main_branch_rule_chooses_the_set_once_at_the_start()
    {
        using var scope = NewDisposeScope();
        var before = TwoClasses(0.9, 0.8, 0.7, 0.6, 0.55, 0.45, 0.4, 0.3, 0.2, 0.1, 0.52, 0.48);
        var after = TwoClasses(0.6, 0.1, 0.95, 0.6, 0.85, 0.45, 0.4, 0.3, 0.05, 0.1, 0.52, 0.48);
        var schedule = new UfmSchedule(12, 2, batchSize: 4, epochs: 2, Ufm(perPredictedClassEachEpoch: false, divisor: 1, cap: 2), seed: 3);
        int calls = 0;
        for (int step = 0; step < 4; step++) schedule.At(step, () => { calls++; return step < 2 ? before : after; });
        Assert.Equal(1, calls);
        // Column 0's top two are 0 (0.9) and 1 (0.8), column 1's are 9 (0.9) and 8 (0.8).
        Assert.Equal([0, 1, 8, 9], schedule.Sets[0].Trusted);
        Assert.Same(schedule.Sets[0], schedule.Sets[1]);
    }

    // ---- UFM: loss -----------------------------------------------------------------------------------------------------

    [Fact]
    public void Sharpening_raises_to_the_half_power_and_renormalises()
    {
        using var scope = NewDisposeScope();
        var q = UfmAdaptation.Sharpen(tensor(new double[,] { { 0.64, 0.36, 0 }, { 0.25, 0.25, 0.5 } }), temperature: 2);
        double s = 0.5 + 0.5 + Math.Sqrt(0.5);
        double[] expected = [0.8 / 1.4, 0.6 / 1.4, 0, 0.5 / s, 0.5 / s, Math.Sqrt(0.5) / s];
        var actual = TestSupport.Doubles(q);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 12);
    }

    /// <summary>Weak logits whose sharpened softmax is exactly <paramref name="target"/>: softmax(2·log t)^{1/2} ∝ t.</summary>
    private static Tensor WeakLogitsFor(double[,] target) => tensor(target).log() * 2;

    private static double SoftCrossEntropy(double[] strong, double[] q)
    {
        double logSum = Math.Log(strong.Sum(Math.Exp));
        return -strong.Select((z, c) => q[c] * (z - logSum)).Sum();
    }

    [Fact]
    public void Ufm_loss_weighs_confident_and_trusted_rows_and_normalises_by_their_count()
    {
        using var scope = NewDisposeScope();
        double[][] targets =
        [
            [0.95, 0.04, 0.01], // confident
            [0.50, 0.30, 0.20], // not confident
            [0.20, 0.30, 0.50], // trusted: replaced by one-hot(ŷ = 0) although the weak view says class 2
            [0.05, 0.93, 0.02], // confident at 0.90, not at 0.94
        ];
        double[][] strong = [[1.0, -0.5, 0.2], [0.3, 0.1, -1.0], [-0.4, 0.9, 0.6], [0.0, 2.0, -1.5]];
        var weak = WeakLogitsFor(new double[,] { { 0.95, 0.04, 0.01 }, { 0.5, 0.3, 0.2 }, { 0.2, 0.3, 0.5 }, { 0.05, 0.93, 0.02 } });
        var strongLogits = tensor(strong.SelectMany(r => r).ToArray()).view(4, 3).requires_grad_(true);
        weak.requires_grad_(true);
        var trusted = tensor(new[] { false, false, true, false });
        var labels = tensor(new long[] { 2, 1, 0, 0 }); // only row 2's label may matter

        var q = TestSupport.Doubles(UfmAdaptation.Targets(weak, trusted, labels, temperature: 2));
        double[][] expectedQ = [targets[0], targets[1], [1, 0, 0], targets[3]];
        for (int i = 0; i < 12; i++) Assert.Equal(expectedQ[i / 3][i % 3], q[i], 12);

        double ce0 = SoftCrossEntropy(strong[0], targets[0]), ce2 = SoftCrossEntropy(strong[2], [1, 0, 0]);
        double ce3 = SoftCrossEntropy(strong[3], targets[3]);
        var loss = UfmAdaptation.UfmLoss(weak, strongLogits, trusted, labels, 0.90, temperature: 2);
        Assert.Equal((ce0 + ce2 + ce3) / 3, Value(loss), 12);
        Assert.Equal((ce0 + ce2) / 2, Value(UfmAdaptation.UfmLoss(weak, strongLogits, trusted, labels, 0.94, temperature: 2)), 12);

        // Gradients reach the strong view only; the weak targets are constants.
        loss.backward();
        Assert.Null(weak.grad);
        Assert.NotNull(strongLogits.grad);

        // No confident row: 0 with a zero gradient rather than 0/0.
        var none = UfmAdaptation.UfmLoss(weak.narrow(0, 1, 1), strongLogits.narrow(0, 1, 1), tensor(new[] { false }), tensor(new long[] { 0 }), 0.9, temperature: 2);
        Assert.Equal(0.0, Value(none));
    }

    [Fact]
    public void Threshold_anneals_from_point90_to_point99()
    {
        var ufm = Ufm();
        Assert.Equal(0.90, ufm.Threshold(0, 10), 15);
        Assert.Equal(0.95, ufm.Threshold(5, 10), 15);
        Assert.Equal(0.99, ufm.Threshold(9, 10), 15);
        Assert.Equal(0.90, ufm.Threshold(0, 1), 15);
        Assert.Equal(0.80 + 0.2 * 3 / 4, (ufm with { ThresholdStart = 0.8, ThresholdRise = 0.2 }).Threshold(3, 4), 15);
        Assert.Throws<ArgumentOutOfRangeException>(() => ufm.Threshold(10, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => ufm.Threshold(-1, 10));
    }

    // ---- UFM: batches --------------------------------------------------------------------------------------------------

    [Fact]
    public void Ufm_batches_are_three_quarters_unlabelled_and_one_quarter_trusted_deterministically()
    {
        using var scope = NewDisposeScope();
        var trusted = Enumerable.Range(0, 50).Select(i => 10 * i).ToArray();
        var unlabelled = Enumerable.Range(0, 500).Except(trusted).ToArray(); // 450
        var batches = new UfmBatches(unlabelled, trusted, 128, 32, seed: 7);
        Assert.Equal((96, 32, 4), (batches.UnlabelledPerBatch, batches.TrustedPerBatch, batches.StepsPerPass));

        var epoch0 = Enumerable.Range(0, 4).Select(s => batches.At(s)).ToList();
        foreach (var batch in epoch0)
        {
            Assert.Equal(128, batch.Length);
            Assert.All(batch[..96], i => Assert.Contains(i, unlabelled));
            Assert.All(batch[96..], i => Assert.Contains(i, trusted));
        }
        // One pass: no unlabelled image twice within an epoch; the next epoch reshuffles.
        Assert.Equal(384, epoch0.SelectMany(b => b[..96]).Distinct().Count());
        Assert.NotEqual(batches.At(0)[..96], batches.At(4)[..96]);
        // The trusted stream's first 50 positions are one permutation of the trusted set.
        var stream = Enumerable.Range(0, 2).SelectMany(s => batches.At(s)[96..]).Take(50).Order();
        Assert.Equal(trusted, stream);

        // Pure in (seed, step): a second instance agrees at any step, another seed does not.
        var again = new UfmBatches(unlabelled, trusted, 128, 32, seed: 7);
        foreach (long step in new long[] { 13, 0, 5, 1000 }) Assert.Equal(batches.At(step), again.At(step));
        Assert.NotEqual(batches.At(0), new UfmBatches(unlabelled, trusted, 128, 32, seed: 8).At(0));

        Assert.Throws<ArgumentException>(() => new UfmBatches(unlabelled[..95], trusted, 128, 32, seed: 7));
        Assert.Throws<ArgumentException>(() => new UfmBatches(unlabelled, [.. trusted, unlabelled[0]], 128, 32, seed: 7));
    }
}

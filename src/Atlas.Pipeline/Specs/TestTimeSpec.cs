using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Atlas.Pipeline.Specs;

/// <summary>
/// Test-time adaptation (docs/method.md §M5): per target, Λ over the other tasks' vectors learned from the unlabelled test split
/// alone, by each objective; the last Λ is tested (no labelled selection).
/// </summary>
public sealed record TestTimeSpec : ISpecSection
{
    void ISpecSection.Check(SpecValidator check, FieldPath path)
    {
        check.CheckTargets(Targets, path.Key("targets"));
        check.CheckCoefficientTraining(Learn, path.Key("learn"));
        if (Learn.Regularizer is not null && Objectives.Contains(TestTimeObjective.Sar))
            check.Fail(path.Key("learn").Key("regularizer"), "SAR's sharpness-aware update has no penalty term; drop the regularizer or the sar objective");
        if (Objectives.Contains(TestTimeObjective.Ufm))
        {
            int trusted = (int)Math.Floor(Learn.Batch * Ufm.TrustedShare);
            bool batchSplits = trusted >= 1 && trusted < Learn.Batch;
            if (!batchSplits)
                check.Fail(path.Key("ufm").Key("trusted_share"), $"a batch of {Learn.Batch} with a trusted share of {Ufm.TrustedShare} holds {trusted} trusted images; it needs at least one trusted and one unlabelled image");
            foreach (var target in Targets)
            {
                if (check.TaskClassImages(target, c => c.Test) is not { } perClass) continue;
                int images = perClass.Sum(), classes = perClass.Length;
                // k = min(⌊N / C / d⌋, cap) trusted images per class (TrustedSet.PerClassFor's rule, in Atlas.Training, which
                // this project cannot reference): none when the test split has fewer than C·d images.
                int perClassTrusted = Math.Min(images / classes / Ufm.TrustedDivisor, Ufm.TrustedCap);
                if (perClassTrusted < 1)
                {
                    check.Fail(path.Key("ufm").Key("trusted_divisor"), $"target '{target}' has {images} test images over {classes} classes: "
                        + $"⌊{images} / {classes} / {Ufm.TrustedDivisor}⌋ = 0 trusted images per class; lower the divisor or enlarge the test split");
                    continue;
                }
                // An epoch is ⌊(N − C·k) / (B − t)⌋ steps (UfmSchedule), so the images outside the trusted set must fill
                // one batch's unlabelled part; the stage would refuse it only after its entropy and SAR objectives ran.
                int unlabelled = images - classes * perClassTrusted;
                if (batchSplits && unlabelled < Learn.Batch - trusted)
                    check.Fail(path.Key("learn").Key("batch"), $"a UFM batch holds {Learn.Batch - trusted} unlabelled images ({Learn.Batch} less {trusted} trusted), "
                        + $"but target '{target}' has {images} test images less {classes}·{perClassTrusted} trusted ones = {unlabelled}; lower the batch or enlarge the test split");
            }
            if (Ufm.ThresholdStart + Ufm.ThresholdRise > 1)
                check.Fail(path.Key("ufm").Key("threshold_rise"), $"the threshold would rise from {Ufm.ThresholdStart} past 1");
        }
    }

    /// <summary>Target tasks.</summary>
    [MinLength(1)]
    public required List<string> Targets { get; init; }

    /// <summary><c>entropy</c> (entropy of strongly augmented views), <c>sar</c> (sharpness-aware, reliable entropy with
    /// resets), <c>ufm</c> (FixMatch-style weak/strong views with a trusted pseudo-labelled set).</summary>
    [MinLength(1)]
    public List<TestTimeObjective> Objectives { get; init; } = [TestTimeObjective.Entropy, TestTimeObjective.Sar, TestTimeObjective.Ufm];

    /// <summary>How Λ is learned (paper: lr 1e-3, cosine, 10 epochs, batch 128; the crop scale is the strong view's, TIP's
    /// 0.5–1, with flips). SAR uses only the learning rate (constant, as the released SAR has no schedule), the epochs,
    /// the batch and the crop.</summary>
    public required CoefficientTraining Learn { get; init; }

    /// <summary>SAR's hyper-parameters (the released SAR code's defaults).</summary>
    public SarSpec Sar { get; init; } = new();

    /// <summary>UFM's hyper-parameters (paper App. E and the ssl branch's defaults).</summary>
    public UfmSpec Ufm { get; init; } = new();
}

/// <summary>The test-time objectives; their spec names are also the table's column names.</summary>
[JsonConverter(typeof(SpecNameJsonConverter))]
public enum TestTimeObjective
{
    /// <summary>Mean prediction entropy of strongly augmented views.</summary>
    Entropy,

    /// <summary>SAR: sharpness-aware minimisation of the entropy of reliable samples, with model resets.</summary>
    Sar,

    /// <summary>UFM: FixMatch-style weak/strong views with a trusted pseudo-labelled set.</summary>
    Ufm,
}

/// <summary>SAR (Niu et al., ICLR 2023) as aTLAS's <c>entropy_sar</c> runs it: SAM over SGD with momentum.</summary>
public sealed record SarSpec
{
    /// <summary>The images SAR adapts on: <c>augmented</c> (the reference: the test split through TIP's augmentation,
    /// the learn crop scale plus flips) or <c>plain</c> (the un-augmented test images).</summary>
    public SarViews Views { get; init; } = SarViews.Augmented;

    /// <summary>SAM's neighbourhood radius ρ (SAR: 0.05).</summary>
    [Range(0d, double.PositiveInfinity)]
    public double Rho { get; init; } = 0.05;

    /// <summary>A sample is reliable while its entropy is below margin·ln C (SAR: 0.4; C is the task's own class count,
    /// not SAR's hard-coded 1000).</summary>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public double Margin { get; init; } = 0.4;

    /// <summary>Λ and the optimizer state are reset once the EMA of the second-pass loss falls below this (SAR: 0.2).</summary>
    public double ResetThreshold { get; init; } = 0.2;

    /// <summary>The base SGD's momentum (aTLAS's SAR: 0.9).</summary>
    [Range(0d, 1d, MaximumIsExclusive = true)]
    public double Momentum { get; init; } = 0.9;

    /// <summary>The decay d of that EMA: EMA ← d·EMA + (1 − d)·loss (SAR: 0.9).</summary>
    [Range(0d, 1d, MaximumIsExclusive = true)]
    public double EmaDecay { get; init; } = 0.9;
}

/// <summary>The images SAR adapts on.</summary>
[JsonConverter(typeof(SpecNameJsonConverter))]
public enum SarViews
{
    /// <summary>The test images through TIP's augmentation (random resized crop at the learn crop scale, random flips),
    /// as aTLAS's <c>entropy_sar</c> loads them; both SAM passes of a step see the same views.</summary>
    Augmented,

    /// <summary>The un-augmented test images.</summary>
    Plain,
}

/// <summary>UFM, the unsupervised FixMatch of paper App. E, in its intended (ssl-branch) form.</summary>
public sealed record UfmSpec
{
    /// <summary>How the trusted set is chosen: <c>per_predicted_class_each_epoch</c> (paper App. E and the ssl branch:
    /// at the start of every epoch, among the images the current model predicts as c, the k most confident, labelled
    /// c) or <c>per_column_zero_shot</c> (the released main branch: once, for every class c the k images with the
    /// highest zero-shot p(c|x), labelled by their zero-shot argmax).</summary>
    public UfmTrustedSet TrustedSet { get; init; } = UfmTrustedSet.PerPredictedClassEachEpoch;

    /// <summary>d in k = min(⌊N / C / d⌋, cap), the trusted images per class (paper: 10).</summary>
    [Range(1, int.MaxValue)]
    public int TrustedDivisor { get; init; } = 10;

    /// <summary>The cap on k (paper: 100).</summary>
    [Range(1, int.MaxValue)]
    public int TrustedCap { get; init; } = 100;

    /// <summary>The share of every batch drawn from the trusted set, ⌊B·share⌋ images (paper: 0.25, 32 of 128).</summary>
    [Range(0d, 1d, MinimumIsExclusive = true, MaximumIsExclusive = true)]
    public double TrustedShare { get; init; } = 0.25;

    /// <summary>T in the sharpening of the weak-view targets, q^{1/T} / Σ q^{1/T} (ssl branch: 2).</summary>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public double Temperature { get; init; } = 2;

    /// <summary>The confidence threshold of the first epoch (ssl branch: 0.9).</summary>
    [Range(0d, 1d, MaximumIsExclusive = true)]
    public double ThresholdStart { get; init; } = 0.9;

    /// <summary>The threshold of epoch e of E is start + rise·e/E (ssl branch: 0.1, so 0.90 → 0.99 over ten epochs).</summary>
    [Range(0d, 1d)]
    public double ThresholdRise { get; init; } = 0.1;
}

/// <summary>How UFM chooses its trusted set.</summary>
[JsonConverter(typeof(SpecNameJsonConverter))]
public enum UfmTrustedSet
{
    /// <summary>Paper App. E and the ssl branch: re-estimated at the start of every epoch with the current model; per
    /// predicted class c, the k most confident images predicted as c, labelled c (class-balanced).</summary>
    PerPredictedClassEachEpoch,

    /// <summary>The released main branch: chosen once from the zero-shot model; per class c, the k images with the
    /// highest p(c|x) over all images, labelled by their argmax (so possibly not c).</summary>
    PerColumnZeroShot,
}

using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Atlas.Pipeline.Specs;

/// <summary>
/// Few-shot recognition (docs/method.md §M4.3): per target task and shot count, aTLAS learns Λ over the other tasks' vectors from
/// k labelled images per class, against zero-shot, Tip-Adapter-F and LP++ (the paper's baselines), a linear probe (an extra
/// baseline) and aTLAS with each adapter, and a gradient-free search of the same Λ.
/// </summary>
public sealed record FewShotSpec : ISpecSection
{
    void ISpecSection.Check(SpecValidator check, FieldPath path)
    {
        check.CheckTargets(Targets, path.Key("targets"));
        if (check.Spec.Tasks.Count < 2) check.Fail(path, "few-shot aTLAS needs at least one other task's vector; the spec has one task");
        for (int i = 0; i < Shots.Count; i++)
            if (Shots.IndexOf(Shots[i]) < i) check.Fail(path.Key("shots").Index(i), $"shot count {Shots[i]} is listed twice");
        check.CheckShots(Targets, Shots, i => path.Key("shots").Index(i));
        check.CheckCoefficientTraining(Learn, path.Key("learn"));
        check.CheckCropScale(GradientFree.CropScale, path.Key("gradient_free").Key("crop_scale"));
    }

    /// <summary>Target tasks; each is learned with the pool of every other task's vector.</summary>
    [MinLength(1)]
    public required List<string> Targets { get; init; }

    /// <summary>Shots per class (paper: 1, 2, 4, 8, 16).</summary>
    [MinLength(1), Range(1, int.MaxValue)]
    public List<int> Shots { get; init; } = [1, 2, 4, 8, 16];

    /// <summary>Independent k-shot draws per shot count (the tables report mean ± std over targets and seeds).</summary>
    [Range(1, int.MaxValue)]
    public int Seeds { get; init; } = 3;

    /// <summary>How Λ is learned (paper: lr 0.1, cosine, 10 epochs, batch 128, crop scale 0.5–1 plus flips).</summary>
    public required CoefficientTraining Learn { get; init; }

    /// <summary>Oversampling: an epoch has at least this many batches (paper: 10).</summary>
    [Range(1, int.MaxValue)]
    public int MinBatchesPerEpoch { get; init; } = 10;

    /// <summary><c>validation</c> keeps the epoch with the best accuracy on the full labelled validation split (the
    /// paper's protocol, which uses far more labels than k); <c>last</c> keeps the last epoch and needs no extra label.</summary>
    public ModelSelection Selection { get; init; } = ModelSelection.Validation;

    /// <summary>Training of the adapters and of the linear probe on cached features (full-batch steps; see each
    /// field for the reference's recipe).</summary>
    public AdapterTraining Adapters { get; init; } = new();

    /// <summary>Gradient-free aTLAS (docs/method.md §M3.5): the search and the objective it minimises.</summary>
    public GradientFreeSearch GradientFree { get; init; } = new();
}

/// <summary>
/// Gradient-free aTLAS (docs/method.md §M3.5, the release's ssl-branch <c>learn_coef_gfree.py</c>): Λ searched in the box
/// [−bound, bound] from Λ = 0 by a (1+1) evolution strategy; each evaluation of the objective is one fresh pass over the
/// oversampled k-shot batches (the sum over its batches of the batch-mean cross-entropy), as the release iterates its
/// training loader once per evaluation.
/// </summary>
public sealed record GradientFreeSearch
{
    /// <summary>Objective evaluations (the release's nevergrad budget: 50).</summary>
    [Range(1, int.MaxValue)]
    public int Budget { get; init; } = 50;

    /// <summary>Half-width of the box Λ is searched in (the release's bounds: ±1.5).</summary>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public double Bound { get; init; } = 1.5;

    /// <summary>Initial mutation step σ₀ of the evolution strategy (the release's nevergrad <c>NGOpt</c> picks its own
    /// internal step, so this one is the repository's: 0.1).</summary>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public double InitialStep { get; init; } = 0.1;

    /// <summary><c>release</c> (the default) feeds the oversampled shots through the release's training preprocessing,
    /// a crop of scale <c>crop_scale</c> without flips, as <c>learn_coef_gfree.py</c> does; <c>gradient</c> scores the
    /// gradient variant's own batches (<c>learn.crop_scale</c> with flips, the same stream).</summary>
    public GradientFreeAugmentation Augmentation { get; init; } = GradientFreeAugmentation.Release;

    /// <summary>Random-resized-crop scale range of the <c>release</c> augmentation (the release's training
    /// preprocessing, open_clip's default: 0.9–1).</summary>
    [Length(2, 2), Range(0d, 1d, MinimumIsExclusive = true)]
    public List<double> CropScale { get; init; } = [0.9, 1.0];
}

/// <summary>Which augmented batches the gradient-free objective scores.</summary>
[JsonConverter(typeof(SpecNameJsonConverter))]
public enum GradientFreeAugmentation
{
    /// <summary>The release's <c>learn_coef_gfree.py</c>: its loader applies the training preprocessing (a crop of scale
    /// <c>gradient_free.crop_scale</c>, 0.9–1, no flips), not the few-shot script's crop 0.5–1 with flips.</summary>
    Release,

    /// <summary>The gradient variant's batches (<c>learn.crop_scale</c> with flips, same seed), so the two variants
    /// differ only in the optimiser.</summary>
    Gradient,
}

/// <summary>Training of the feature-level baselines and adapters (full-batch AdamW on cached features).</summary>
public sealed record AdapterTraining
{
    /// <summary>Linear-probe start: <c>zeros</c> (logistic regression from scratch, the classic CLIP linear probe) or
    /// <c>zero_shot</c> (weights = the zero-shot head, so training refines zero-shot CLIP). The linear probe is an
    /// extra baseline: the paper compares aTLAS with Tip-Adapter and LP++ only.</summary>
    public LinearProbeInit LinearProbeInit { get; init; } = LinearProbeInit.Zeros;

    /// <summary>Linear-probe epochs.</summary>
    [Range(1, int.MaxValue)]
    public int LinearProbeEpochs { get; init; } = 300;

    /// <summary>Linear-probe learning rate.</summary>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public double LinearProbeLr { get; init; } = 1e-2;

    /// <summary>Tip-Adapter-F full-batch AdamW steps on the cache. The aTLAS code trains 10 epochs of mini-batches of 128
    /// over the oversampled shots (at least 10 batches an epoch, so at least 100 steps); the paper's appendix trains its
    /// Tip-Adapter baseline 300 epochs with the LP++ code. The default, 100 steps, is the aTLAS code's step count at
    /// the minimum epoch length.</summary>
    [Range(1, int.MaxValue)]
    public int TipEpochs { get; init; } = 100;

    /// <summary>Tip-Adapter-F learning rate (paper: 1e-3).</summary>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public double TipLr { get; init; } = 1e-3;

    /// <summary>LP++ epochs (paper: 300), full-batch; W and b learn at the paper's rule lr_w = 4N/λ_max(FᵀF).</summary>
    [Range(1, int.MaxValue)]
    public int LppEpochs { get; init; } = 300;

    /// <summary>LP++'s optimiser: <c>original</c> (the LP++ authors' code: SGD with momentum 0.9 on W and b at lr_w, α
    /// stepped at its own lr_α every 10th epoch; no weight decay, clipping or schedule) or <c>atlas_adam_w</c> (the aTLAS
    /// wrapper: AdamW on W, b and α together at lr_w with <c>weight_decay</c>, <c>grad_clip</c> and a cosine
    /// schedule).</summary>
    public LppOptimizer LppOptimizer { get; init; } = LppOptimizer.Original;

    /// <summary>LP++'s α start: <c>class_mean</c> (every α_c = 250 × the mean over classes of the mean similarity of a
    /// class's shots to its own text embedding, as both released codes compute it: <c>calculate_init_alpha</c> ends in
    /// <c>torch.mean</c>) or <c>per_class</c> (α_c from class c's shots alone).</summary>
    public LppAlphaInit LppAlphaInit { get; init; } = LppAlphaInit.ClassMean;

    /// <summary>AdamW decoupled weight decay of the linear probe, Tip-Adapter-F, and LP++ under
    /// <c>lpp_optimizer: atlas_adam_w</c> (the aTLAS code: 0.1); the LP++ authors' optimiser uses none.</summary>
    [Range(0d, double.PositiveInfinity)]
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>Largest global gradient L2 norm of the linear probe, Tip-Adapter-F, and LP++ under
    /// <c>lpp_optimizer: atlas_adam_w</c>; the LP++ authors' optimiser does not clip.</summary>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public double GradClip { get; init; } = 1.0;
}

/// <summary>Where the linear probe's weights start.</summary>
[JsonConverter(typeof(SpecNameJsonConverter))]
public enum LinearProbeInit
{
    /// <summary>Zero weights: logistic regression from scratch, the classic CLIP linear probe (the default).</summary>
    Zeros,

    /// <summary>The zero-shot head's weights, so training refines zero-shot CLIP.</summary>
    ZeroShot,
}

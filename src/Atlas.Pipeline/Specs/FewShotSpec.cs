using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Atlas.Pipeline.Specs;

/// <summary>
/// Few-shot recognition (docs/method.md §M4.3): per target task and shot count, aTLAS learns Λ over the other tasks' vectors from
/// k labelled images per class, against zero-shot, a linear probe, Tip-Adapter-F and LP++ (and aTLAS with each adapter).
/// </summary>
public sealed record FewShotSpec : ISpecSection
{
    void ISpecSection.Check(SpecValidator check, FieldPath path)
    {
        check.CheckTargets(Targets, path.Key("targets"));
        if (check.Spec.Tasks.Count < 2) check.Fail(path, "few-shot aTLAS needs at least one other task's vector; the spec has one task");
        for (int i = 0; i < Shots.Count; i++)
            if (Shots.IndexOf(Shots[i]) < i) check.Fail(path.Key("shots").Index(i), $"shot count {Shots[i]} is listed twice");
        check.CheckCoefficientTraining(Learn, path.Key("learn"));
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

    /// <summary>Epochs of the adapters and of the linear probe, trained on cached features (paper: Tip-Adapter-F 10,
    /// LP++ 300).</summary>
    public AdapterTraining Adapters { get; init; } = new();
}

/// <summary>Training of the feature-level baselines and adapters (full-batch AdamW on cached features).</summary>
public sealed record AdapterTraining
{
    /// <summary>Linear-probe start: <c>zeros</c> (the standard CLIP linear probe, logistic regression from scratch, as
    /// the paper's baseline) or <c>zero_shot</c> (weights = the zero-shot head, so training refines zero-shot CLIP).</summary>
    public LinearProbeInit LinearProbeInit { get; init; } = LinearProbeInit.Zeros;

    /// <summary>Linear-probe epochs.</summary>
    [Range(1, int.MaxValue)]
    public int LinearProbeEpochs { get; init; } = 300;

    /// <summary>Linear-probe learning rate.</summary>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public double LinearProbeLr { get; init; } = 1e-2;

    /// <summary>Tip-Adapter-F epochs (paper: 10 over the oversampled cache).</summary>
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

    /// <summary>AdamW decoupled weight decay of the linear probe and both adapters (the aTLAS code: 0.1).</summary>
    [Range(0d, double.PositiveInfinity)]
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>Largest global gradient L2 norm of the linear probe and both adapters.</summary>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public double GradClip { get; init; } = 1.0;
}

/// <summary>Where the linear probe's weights start.</summary>
[JsonConverter(typeof(SpecNameJsonConverter))]
public enum LinearProbeInit
{
    /// <summary>Zero weights: the standard CLIP linear probe, logistic regression from scratch.</summary>
    Zeros,

    /// <summary>The zero-shot head's weights, so training refines zero-shot CLIP.</summary>
    ZeroShot,
}

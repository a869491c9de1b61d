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

    /// <summary>LP++ epochs (paper: 300); its learning rate follows the paper's rule 4N/λ_max(FᵀF).</summary>
    [Range(1, int.MaxValue)]
    public int LppEpochs { get; init; } = 300;
}

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
    }

    /// <summary>Target tasks.</summary>
    [MinLength(1)]
    public required List<string> Targets { get; init; }

    /// <summary><c>entropy</c> (entropy of strongly augmented views), <c>sar</c> (sharpness-aware, reliable entropy with
    /// resets), <c>ufm</c> (FixMatch-style weak/strong views with a trusted zero-shot set).</summary>
    [MinLength(1)]
    public List<TestTimeObjective> Objectives { get; init; } = [TestTimeObjective.Entropy, TestTimeObjective.Sar, TestTimeObjective.Ufm];

    /// <summary>How Λ is learned (paper: lr 1e-3, cosine, 10 epochs, batch 128; the crop scale is the strong view's).</summary>
    public required CoefficientTraining Learn { get; init; }
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

/// <summary>Where the linear probe's weights start.</summary>
[JsonConverter(typeof(SpecNameJsonConverter))]
public enum LinearProbeInit
{
    /// <summary>Zero weights: the standard CLIP linear probe, logistic regression from scratch.</summary>
    Zeros,

    /// <summary>The zero-shot head's weights, so training refines zero-shot CLIP.</summary>
    ZeroShot,
}

/// <summary>
/// Task-vector selection under a memory budget (docs/method.md §M3.4): per target, the coefficient gradient at Λ = 0 is accumulated
/// over one pass of k-shot batches, and aTLAS learns Λ on only n task vectors' worth of blocks, for every budget n.
/// </summary>
public sealed record BlockSelectionSpec : ISpecSection
{
    void ISpecSection.Check(SpecValidator check, FieldPath path)
    {
        check.CheckTargets(Targets, path.Key("targets"));
        check.CheckDistinct(Strategies, path.Key("strategies"), "strategy");
        int poolSize = check.Spec.Tasks.Count - 1;
        for (int i = 0; i < Budgets.Count; i++)
        {
            int budget = Budgets[i];
            if (i > 0 && budget <= Budgets[i - 1])
                check.Fail(path.Key("budgets").Index(i), $"budgets must be ascending, got {budget} after {Budgets[i - 1]}");
            else if (budget >= poolSize)
                check.Fail(path.Key("budgets").Index(i), $"a budget must be less than the {poolSize} task vectors of a target's pool (the full pool is always run), got {budget}");
        }
        check.CheckCoefficientTraining(Learn, path.Key("learn"));
    }

    /// <summary>Target tasks; the pool is every other task's vector.</summary>
    [MinLength(1)]
    public required List<string> Targets { get; init; }

    /// <summary>Shots per class of the training images (paper: 4 and 16).</summary>
    [Range(1, int.MaxValue)]
    public int Shots { get; init; } = 4;

    /// <summary>Independent k-shot draws per budget.</summary>
    [Range(1, int.MaxValue)]
    public int Seeds { get; init; } = 3;

    /// <summary>Budgets n: task vectors' worth of blocks kept in memory, each less than the pool size (the full pool is
    /// always learned as the reference).</summary>
    [MinLength(1), Range(1, int.MaxValue)]
    public required List<int> Budgets { get; init; }

    /// <summary><c>blockwise</c> ranks the task vectors per block and mixes the n best blocks into n new vectors;
    /// <c>whole</c> keeps the n whole vectors with the highest mean informativeness.</summary>
    [MinLength(1)]
    public List<BlockSelectionStrategy> Strategies { get; init; } = [BlockSelectionStrategy.Blockwise, BlockSelectionStrategy.Whole];

    /// <summary>How Λ is learned, as in few-shot (paper: lr 0.1, cosine, 10 epochs, crop 0.5–1 plus flips); the epoch
    /// with the best validation accuracy is kept.</summary>
    public required CoefficientTraining Learn { get; init; }

    /// <summary>Oversampling: an epoch has at least this many batches (paper: 10).</summary>
    [Range(1, int.MaxValue)]
    public int MinBatchesPerEpoch { get; init; } = 10;
}

/// <summary>The selection strategies; their spec names are also the table's column names.</summary>
[JsonConverter(typeof(SpecNameJsonConverter))]
public enum BlockSelectionStrategy
{
    /// <summary>Rank the task vectors per block and mix the n best blocks into n new vectors.</summary>
    Blockwise,

    /// <summary>Keep the n whole vectors with the highest mean informativeness.</summary>
    Whole,
}

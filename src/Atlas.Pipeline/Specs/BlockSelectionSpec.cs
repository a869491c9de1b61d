using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Atlas.Pipeline.Specs;

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
        check.CheckShots(Targets, [Shots], _ => path.Key("shots"));
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

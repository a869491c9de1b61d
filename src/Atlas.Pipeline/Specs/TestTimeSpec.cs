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

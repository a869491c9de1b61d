using System.ComponentModel.DataAnnotations;

namespace Atlas.Pipeline.Specs;

/// <summary>
/// Verification against the paper's reported numbers: each recomputed table is compared cell by cell with the reference
/// table of the same name in <c>{folder}/{backbone}/</c>, where one exists (<c>experiments/reference/paper/README.md</c>
/// describes the files).
/// </summary>
public sealed record PaperReferenceSpec
{
    /// <summary>Folder of reference tables, one sub-folder per backbone, relative to the repository root.</summary>
    public string Folder { get; init; } = "experiments/reference/paper";

    /// <summary>Allowed absolute difference from the paper, in accuracy points (the field's habit: about ±1).</summary>
    [Range(0d, double.PositiveInfinity)]
    public double Tolerance { get; init; } = 1.0;

    /// <summary>Which of the paper's averages an average cell is compared with, where the paper's printed Average differs
    /// from the mean of its own per-dataset row (Tables 7 and 8).</summary>
    public PaperAverage Average { get; init; } = PaperAverage.RowMean;
}

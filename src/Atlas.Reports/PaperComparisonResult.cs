using System.Globalization;
using System.Text;

namespace Atlas.Reports;

/// <summary>What <see cref="PaperComparison.Compare"/> found for one table.</summary>
/// <param name="Cells">Every compared cell, in reference order.</param>
/// <param name="Missing">Cells the paper reports and the run lacks (each fails), with what is missing.</param>
/// <param name="NotInRun">Datasets of the reference the run did not include (skipped).</param>
/// <param name="NotReported">Cells the run has where the paper's cell is empty (ignored).</param>
/// <param name="OursOnly">Rows and columns only the run has (ignored: the paper reports none).</param>
public sealed record PaperComparisonResult(
    string Table,
    ReferenceTable Paper,
    double Tolerance,
    bool ComparedPrintedAverages,
    IReadOnlyList<PaperCell> Cells,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> NotInRun,
    IReadOnlyList<string> NotReported,
    IReadOnlyList<string> OursOnly)
{
    /// <summary>The compared cells further from the paper than the tolerance.</summary>
    public IReadOnlyList<PaperCell> Outside => [.. Cells.Where(c => c.Outside)];

    /// <summary>True when at least one cell was compared, every compared cell is within tolerance and none is missing.</summary>
    public bool Passed => Cells.Count > 0 && Outside.Count == 0 && Missing.Count == 0;

    /// <summary>The comparison for people: sources, which average is compared, paper / ours / difference per cell with the
    /// cells outside the tolerance marked, what was not compared and why, and the verdict.</summary>
    public string Render()
    {
        var t = Number(Tolerance);
        var text = new StringBuilder();
        text.AppendLine($"## {Table}: paper reference `{Paper.Source}`");
        text.AppendLine();
        foreach (var source in Paper.Sources) text.AppendLine($"- source: {source}");
        foreach (var average in Paper.Averages) text.AppendLine($"- average: {average}");
        text.AppendLine(ComparedPrintedAverages
            ? "- averages compared with: the paper's printed Average (verify.paper.average: printed)"
            : "- averages compared with: the mean of the paper's per-dataset row (verify.paper.average: row_mean)");
        text.AppendLine();
        text.AppendLine($"| {Paper.KeyColumn} | column | paper | ours | ours − paper | within ±{t} |");
        text.AppendLine("|---|---|---:|---:|---:|---|");
        foreach (var cell in Cells)
            text.AppendLine($"| {cell.Row} | {cell.Column} | {Number(cell.Paper)} | {Number(cell.Ours)} | {Signed(cell.Difference)} | {(cell.Outside ? "**OUTSIDE**" : "yes")} |");
        text.AppendLine();
        foreach (var missing in Missing) text.AppendLine($"- MISSING: {missing}");
        if (NotInRun.Count > 0) text.AppendLine($"- not compared, datasets this run did not include: {string.Join(", ", NotInRun)}");
        foreach (var (name, why) in Paper.NotCompared) text.AppendLine($"- not compared, {name}: {why}");
        if (NotReported.Count > 0) text.AppendLine($"- ignored, the paper reports no value: {string.Join("; ", NotReported)}");
        if (OursOnly.Count > 0) text.AppendLine($"- ignored, only in our table (the paper reports none): {string.Join(", ", OursOnly)}");
        text.AppendLine();
        text.AppendLine(Passed
            ? $"{Table}: PASS, {Cells.Count} cell(s) within ±{t} of the paper"
            : Cells.Count == 0 && Missing.Count == 0
                ? $"{Table}: FAIL, no cell compared (our table and the paper's share no reported cell)"
                : $"{Table}: FAIL, {Outside.Count} of {Cells.Count} cell(s) outside ±{t}" +
                  (Outside.Count > 0 ? $" ({string.Join(", ", Outside.Select(c => $"{c.Row} / {c.Column}"))})" : "") +
                  $", {Missing.Count} missing");
        return text.ToString();
    }

    private static string Number(double value) => PaperComparison.Format(value);

    private static string Signed(double value) => (value >= 0 ? "+" : "") + PaperComparison.Format(value);
}

/// <summary>One compared cell: the paper's value, ours, and whether the difference exceeds the tolerance.</summary>
public sealed record PaperCell(string Row, string Column, double Paper, double Ours, bool Outside)
{
    /// <summary>Ours minus the paper's.</summary>
    public double Difference => Ours - Paper;
}

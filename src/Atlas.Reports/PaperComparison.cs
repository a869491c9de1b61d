using System.Globalization;
using System.Text;

namespace Atlas.Reports;

/// <summary>
/// Compares a run's table with the paper's reference table cell by cell, matched by row label and column name, within
/// one absolute tolerance in accuracy points. A cell the paper reports and the run has is compared; a cell only the run
/// has is ignored (the paper reports none); a reference row or column marked not-compared is skipped with its reason; a
/// dataset the run did not include is skipped; any other cell the paper reports and the run lacks is missing, and fails.
/// </summary>
public static class PaperComparison
{
    /// <param name="comparePrintedAverages">Compare average cells with the paper's printed Average (the
    /// <c>printed_</c> rows and columns) instead of the mean of its per-dataset row, where the file holds both.</param>
    public static PaperComparisonResult Compare(string table, ReferenceTable paper, ResultTable ours, double tolerance, bool comparePrintedAverages)
    {
        ArgumentNullException.ThrowIfNull(paper);
        ArgumentNullException.ThrowIfNull(ours);
        if (paper.KeyColumn != ours.KeyColumn)
            throw new InvalidDataException($"{paper.Source}: its key column is '{paper.KeyColumn}', the run's {table} table has '{ours.KeyColumn}'");
        var cells = new List<PaperCell>();
        var missing = new List<string>();
        var notInRun = new SortedSet<string>(StringComparer.Ordinal);
        var notReported = new List<string>();
        var oursRows = ours.Rows.ToDictionary(r => r.Key);
        var oursColumns = ours.Columns.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);

        bool Skipped(string name) => ReferenceTable.IsPrinted(name) || paper.NotCompared.ContainsKey(name);
        foreach (var row in paper.Rows.Where(r => !Skipped(r.Key)))
        {
            if (!oursRows.TryGetValue(row.Key, out var oursRow) && paper.Datasets.Contains(row.Key))
            {
                notInRun.Add(row.Key);
                continue;
            }
            foreach (var column in paper.Columns.Where(c => !Skipped(c)))
            {
                double? expected = paper.Expected(row.Key, column, comparePrintedAverages);
                bool columnInRun = oursColumns.TryGetValue(column, out int c);
                if (!columnInRun && paper.Datasets.Contains(column))
                {
                    notInRun.Add(column);
                    continue;
                }
                if (expected is null)
                {
                    if (oursRow is not null && columnInRun) notReported.Add($"{row.Key} / {column}");
                    continue;
                }
                if (oursRow is null || !columnInRun || double.IsNaN(oursRow.Values[c]))
                {
                    missing.Add($"{row.Key} / {column} (paper {Format(expected.Value)}; " +
                                $"{(oursRow is null ? $"our table has no row '{row.Key}'" : !columnInRun ? $"our table has no column '{column}'" : "ours is NaN")})");
                    continue;
                }
                double value = oursRow.Values[c];
                cells.Add(new PaperCell(row.Key, column, expected.Value, value, Math.Abs(value - expected.Value) > tolerance + 1e-9));
            }
        }
        var paperRows = paper.Rows.Select(r => r.Key).ToHashSet();
        var paperColumns = paper.Columns.ToHashSet();
        var oursOnly = ours.Rows.Select(r => r.Key).Where(r => !paperRows.Contains(r)).Select(r => $"row '{r}'")
            .Concat(ours.Columns.Where(c => !paperColumns.Contains(c)).Select(c => $"column '{c}'")).ToList();
        return new PaperComparisonResult(table, paper, tolerance, comparePrintedAverages, cells, missing, [.. notInRun], notReported, oursOnly);
    }

    /// <summary>A Markdown table of <paramref name="ours"/> with the paper's value beside every column the paper reports
    /// for at least one of its rows (<c>column (paper)</c>; "–" where it reports none), for the report.</summary>
    public static string MarkdownWithPaper(ResultTable ours, ReferenceTable paper, bool comparePrintedAverages)
    {
        ArgumentNullException.ThrowIfNull(ours);
        ArgumentNullException.ThrowIfNull(paper);
        var withPaper = ours.Columns.Select(c => ours.Rows.Any(r => paper.Expected(r.Key, c, comparePrintedAverages) is not null)).ToList();
        var text = new StringBuilder();
        var header = ours.Columns.SelectMany((c, i) => withPaper[i] ? new[] { c, $"{c} (paper)" } : [c]).ToList();
        text.AppendLine($"| {ours.KeyColumn} | {string.Join(" | ", header)} |");
        text.AppendLine($"|---|{string.Concat(header.Select(_ => "---:|"))}");
        foreach (var row in ours.Rows)
        {
            var cells = row.Values.SelectMany((v, i) => withPaper[i]
                ? new[] { Format(v), paper.Expected(row.Key, ours.Columns[i], comparePrintedAverages) is { } p ? Format(p) : "–" }
                : [Format(v)]);
            text.AppendLine($"| {row.Key} | {string.Join(" | ", cells)} |");
        }
        return text.ToString();
    }

    internal static string Format(double value) =>
        Math.Round(value, ResultTable.Decimals, MidpointRounding.AwayFromZero).ToString("F" + ResultTable.Decimals, CultureInfo.InvariantCulture);
}

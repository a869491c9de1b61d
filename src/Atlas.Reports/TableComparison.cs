using System.Globalization;
using System.Text;

namespace Atlas.Reports;

/// <summary>
/// Compares a recomputed table with its approved version cell by cell, each column with its own absolute tolerance.
/// Rows and columns must match exactly; a missing or extra row is a difference, whatever the tolerance.
/// </summary>
public static class TableComparison
{
    /// <param name="tolerances">Allowed absolute difference per column; the <c>default</c> entry covers the rest.</param>
    public static IReadOnlyList<string> Differences(ResultTable approved, ResultTable received, IReadOnlyDictionary<string, double> tolerances)
    {
        var differences = new List<string>();
        if (!approved.Columns.SequenceEqual(received.Columns))
            differences.Add($"columns differ: approved [{string.Join(", ", approved.Columns)}], received [{string.Join(", ", received.Columns)}]");
        var receivedRows = received.Rows.ToDictionary(r => r.Key);
        foreach (var row in approved.Rows)
        {
            if (!receivedRows.TryGetValue(row.Key, out var other))
            {
                differences.Add($"row '{row.Key}' is missing");
                continue;
            }
            foreach (var (column, index) in approved.Columns.Select((c, i) => (c, i)))
            {
                int receivedIndex = received.Columns.ToList().IndexOf(column);
                if (receivedIndex < 0) continue;
                double expected = row.Values[index], actual = other.Values[receivedIndex];
                double tolerance = tolerances.TryGetValue(column, out var t) ? t : tolerances.GetValueOrDefault("default", 0);
                if (Math.Abs(expected - actual) > tolerance + 1e-9)
                    differences.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{row.Key} / {column}: approved {expected:F2}, received {actual:F2} (|Δ| {Math.Abs(expected - actual):F2} > tolerance {tolerance:F2})"));
            }
        }
        foreach (var extra in received.Rows.Select(r => r.Key).Except(approved.Rows.Select(r => r.Key)))
            differences.Add($"row '{extra}' is new (not in the approved table)");
        return differences;
    }

    /// <summary>A Markdown report of the differences, for a person deciding whether to approve the received table.</summary>
    public static string DiffReport(string approvedPath, string receivedPath, IReadOnlyList<string> differences)
    {
        var text = new StringBuilder();
        text.AppendLine($"# Verification failed: {differences.Count} difference(s)");
        text.AppendLine();
        text.AppendLine($"- approved: `{approvedPath}`");
        text.AppendLine($"- received: `{receivedPath}`");
        text.AppendLine();
        foreach (var difference in differences) text.AppendLine($"- {difference}");
        text.AppendLine();
        text.AppendLine("If the change is intended, review the received table and approve it: `atlas approve --spec <spec>`.");
        return text.ToString();
    }
}

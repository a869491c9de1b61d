using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Atlas.Reports;

/// <summary>
/// A result table: a key column (row labels) and numeric columns, rendered as Markdown for people, CSV for tools and
/// approval, and JSON for programs. Numbers are rounded to <see cref="Decimals"/> places in every rendering, so the
/// last-ulp drift between thread counts never reaches an approved file.
/// </summary>
public sealed record ResultTable(string Title, string KeyColumn, IReadOnlyList<string> Columns, IReadOnlyList<ResultRow> Rows)
{
    public const int Decimals = 2;

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine($"| {KeyColumn} | {string.Join(" | ", Columns)} |");
        text.AppendLine($"|---|{string.Concat(Columns.Select(_ => "---:|"))}");
        foreach (var row in Rows)
            text.AppendLine($"| {row.Key} | {string.Join(" | ", row.Values.Select(Format))} |");
        return text.ToString();
    }

    public string ToCsv()
    {
        var text = new StringBuilder();
        text.AppendLine(string.Join(",", new[] { KeyColumn }.Concat(Columns)));
        foreach (var row in Rows)
            text.AppendLine(string.Join(",", new[] { row.Key }.Concat(row.Values.Select(Format))));
        return text.ToString();
    }

    public string ToJson() => JsonSerializer.Serialize(new
    {
        title = Title,
        key = KeyColumn,
        columns = Columns,
        rows = Rows.Select(r => new { key = r.Key, values = Columns.Zip(r.Values).ToDictionary(c => c.First, c => Round(c.Second)) }),
    }, new JsonSerializerOptions { WriteIndented = true });

    /// <summary>Parses the CSV rendering back (for verification against an approved file).</summary>
    public static ResultTable FromCsv(string title, string csv, string source)
    {
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0) throw new InvalidDataException($"{source}: empty table");
        var header = lines[0].Split(',');
        var rows = new List<ResultRow>();
        for (int i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].Split(',');
            if (cells.Length != header.Length)
                throw new InvalidDataException($"{source}:{i + 1}: {cells.Length} cells, the header has {header.Length}");
            var values = cells.Skip(1).Select((cell, c) => double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
                ? v
                : throw new InvalidDataException($"{source}:{i + 1}: column '{header[c + 1]}' is not a number: '{cell}'")).ToList();
            rows.Add(new ResultRow(cells[0], values));
        }
        return new ResultTable(title, header[0], header.Skip(1).ToList(), rows);
    }

    private static double Round(double value) => Math.Round(value, Decimals, MidpointRounding.AwayFromZero);

    private static string Format(double value) => Round(value).ToString("F" + Decimals, CultureInfo.InvariantCulture);
}

/// <summary>One row of a <see cref="ResultTable"/>: its label and one value per column.</summary>
public sealed record ResultRow(string Key, IReadOnlyList<double> Values);

using System.Globalization;

namespace Atlas.Reports;

/// <summary>
/// One table of the paper's reported numbers (<c>experiments/reference/paper/{backbone}/{table}.csv</c>): a run table's
/// key column, row labels and column names, with empty cells where the paper reports nothing, and the header lines that
/// say where the numbers come from and which of the paper's averages the table holds. The format is described in
/// <c>experiments/reference/paper/README.md</c>.
/// </summary>
/// <param name="Source">The file it was read from (for messages).</param>
/// <param name="Sources">The <c># source:</c> lines: the paper table (or JSON file) each part comes from.</param>
/// <param name="Averages">The <c># average:</c> lines: which average the table holds and where the paper's differ.</param>
/// <param name="Datasets">The rows or columns that are datasets (a run includes a subset of them).</param>
/// <param name="NotCompared">Rows or columns kept for readers that no run produces, with the reason.</param>
public sealed record ReferenceTable(
    string Source,
    string KeyColumn,
    IReadOnlyList<string> Columns,
    IReadOnlyList<ReferenceRow> Rows,
    IReadOnlyList<string> Sources,
    IReadOnlyList<string> Averages,
    IReadOnlySet<string> Datasets,
    IReadOnlyDictionary<string, string> NotCompared)
{
    /// <summary>The prefix of a row or column that holds the paper's printed average of the one named after it, where the
    /// file holds the recomputed row mean under the plain name.</summary>
    public const string PrintedPrefix = "printed_";

    /// <summary>The paper's value, or null when it reports none (an empty cell, or no such row or column).</summary>
    public double? Cell(string row, string column)
    {
        int c = Columns.ToList().IndexOf(column);
        return c < 0 ? null : Rows.FirstOrDefault(r => r.Key == row)?.Values[c];
    }

    /// <summary>The cell to compare with a run's (row, column): the printed average in place of the row mean when
    /// <paramref name="printed"/> and the file holds one (a <c>printed_</c> column or row), otherwise the cell itself.</summary>
    public double? Expected(string row, string column, bool printed) =>
        printed && (Cell(row, PrintedPrefix + column) ?? Cell(PrintedPrefix + row, column)) is { } printedValue
            ? printedValue
            : Cell(row, column);

    /// <summary>Whether a row or column only carries printed averages (compared in place of their plain names, never alone).</summary>
    public static bool IsPrinted(string name) => name.StartsWith(PrintedPrefix, StringComparison.Ordinal);

    /// <summary>Reads a reference file.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">A malformed line, naming the file and the line.</exception>
    public static ReferenceTable Load(string path) =>
        File.Exists(path) ? Parse(File.ReadAllText(path), path) : throw new FileNotFoundException($"{path}: no reference table", path);

    /// <summary>Parses a reference file's text; <paramref name="source"/> names it in messages.</summary>
    public static ReferenceTable Parse(string text, string source)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var sources = new List<string>();
        var averages = new List<string>();
        var notCompared = new Dictionary<string, string>();
        var datasets = new HashSet<string>(StringComparer.Ordinal);
        int i = 0;
        for (; i < lines.Length && lines[i].StartsWith('#'); i++)
        {
            var comment = lines[i].TrimStart('#').Trim();
            int colon = comment.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) throw new InvalidDataException($"{source}:{i + 1}: a header line is '# key: text', not '{lines[i]}'");
            string key = comment[..colon].Trim(), value = comment[(colon + 1)..].Trim();
            switch (key)
            {
                case "source": sources.Add(value); break;
                case "average": averages.Add(value); break;
                case "datasets":
                    datasets.UnionWith(value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
                    break;
                case "not-compared":
                    // "a, b, c: why" — the names end at the first colon.
                    int reasonAt = value.IndexOf(':', StringComparison.Ordinal);
                    if (reasonAt <= 0) throw new InvalidDataException($"{source}:{i + 1}: not-compared is 'name, name: why', not '{value}'");
                    foreach (var name in value[..reasonAt].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                        notCompared[name] = value[(reasonAt + 1)..].Trim();
                    break;
                case "backbone" or "transcribed" or "note": break;
                default: throw new InvalidDataException($"{source}:{i + 1}: unknown header key '{key}' (known: source, average, datasets, not-compared, backbone, transcribed, note)");
            }
        }
        if (i >= lines.Length || lines[i].Trim().Length == 0) throw new InvalidDataException($"{source}: no CSV header after the comment lines");
        var header = lines[i].Trim().Split(',');
        if (header.Distinct(StringComparer.Ordinal).Count() != header.Length)
            throw new InvalidDataException($"{source}:{i + 1}: a column name repeats in the header");
        var rows = new List<ReferenceRow>();
        for (int lineIndex = i + 1; lineIndex < lines.Length; lineIndex++)
        {
            var line = lines[lineIndex].Trim();
            if (line.Length == 0) continue;
            var cells = line.Split(',');
            if (cells.Length != header.Length)
                throw new InvalidDataException($"{source}:{lineIndex + 1}: {cells.Length} cells, the header has {header.Length}");
            if (rows.Any(r => r.Key == cells[0])) throw new InvalidDataException($"{source}:{lineIndex + 1}: row '{cells[0]}' repeats");
            var values = cells.Skip(1).Select((cell, c) => cell.Length == 0 ? (double?)null
                : double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
                : throw new InvalidDataException($"{source}:{lineIndex + 1}: column '{header[c + 1]}' is not a number: '{cell}'")).ToList();
            rows.Add(new ReferenceRow(cells[0], values));
        }
        foreach (var (what, names) in new[] { ("not-compared", notCompared.Keys), ("datasets", (IEnumerable<string>)datasets) })
        {
            var unknown = names.Where(n => !header.Skip(1).Contains(n) && rows.All(r => r.Key != n)).ToList();
            if (unknown.Count > 0) throw new InvalidDataException($"{source}: {what} names no row or column: {string.Join(", ", unknown)}");
        }
        return new ReferenceTable(source, header[0], header.Skip(1).ToList(), rows, sources, averages, datasets, notCompared);
    }
}

/// <summary>One row of a <see cref="ReferenceTable"/>: its label and one value per column, null where the paper reports none.</summary>
public sealed record ReferenceRow(string Key, IReadOnlyList<double?> Values);

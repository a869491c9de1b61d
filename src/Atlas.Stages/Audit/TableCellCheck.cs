using System.Globalization;
using Atlas.Reports;

namespace Atlas.Stages.Audit;

/// <summary>
/// The audit's last check: every table is rebuilt from the stage results in the folder, by the same family code that
/// wrote it, and each cell of the table file is compared with the rebuilt one, so a number edited in a table, or a
/// table no longer following from the results, is named by table, row and column. The families read the results
/// through a temporary repository root whose experiment folder links to the audited folder's stage folders, so a copy
/// anywhere works, and figures the families draw go to a temporary folder, never into the audited one.
/// </summary>
public static class TableCellCheck
{
    /// <summary>Findings for every table of the spec whose file differs from its rebuilt version, or is missing.</summary>
    public static IReadOnlyList<AuditFinding> Findings(ExperimentContext context, ArtifactFolder folder)
    {
        var findings = new List<AuditFinding>();
        string shadow = Path.Combine(Path.GetTempPath(), $"atlas-audit-{Guid.NewGuid():N}");
        try
        {
            var experiment = Path.Combine(shadow, context.Layout.ExperimentDir);
            Directory.CreateDirectory(experiment);
            foreach (var entry in Directory.EnumerateFileSystemEntries(folder.Location))
            {
                string name = Path.GetFileName(entry);
                if (name == Path.GetFileName(context.Layout.FiguresDir)) continue; // drawn afresh into the shadow
                if (Directory.Exists(entry)) Directory.CreateSymbolicLink(Path.Combine(experiment, name), entry);
                else File.CreateSymbolicLink(Path.Combine(experiment, name), entry);
            }
            // Source files outside the folder keep their repository-relative paths: link the repository's top folders.
            foreach (var entry in Directory.EnumerateFileSystemEntries(folder.RepositoryRoot))
            {
                string name = Path.GetFileName(entry);
                if (name == "artifacts" || Directory.Exists(Path.Combine(shadow, name)) || File.Exists(Path.Combine(shadow, name))) continue;
                if (Directory.Exists(entry)) Directory.CreateSymbolicLink(Path.Combine(shadow, name), entry);
                else File.CreateSymbolicLink(Path.Combine(shadow, name), entry);
            }

            using var rebuilt = new ExperimentContext(shadow, context.SpecPath, context.Spec, TextWriter.Null);
            IReadOnlyList<ReportSection> sections;
            try
            {
                sections = [.. ExperimentFamilies.All.SelectMany(f => f.Report(rebuilt))];
            }
            catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException or InvalidOperationException or KeyNotFoundException)
            {
                findings.Add(new AuditFinding(AuditSeverity.Break, AuditCheck.TableCell, StageIds.Report, context.Layout.TablesDir,
                    $"the tables cannot be rebuilt from the stage results here: {e.Message}"));
                return findings;
            }
            foreach (var section in sections) Compare(context, folder, section, findings);
        }
        finally
        {
            if (Directory.Exists(shadow)) Directory.Delete(shadow, recursive: true); // removes the links, not their targets
        }
        return findings;
    }

    private static void Compare(ExperimentContext context, ArtifactFolder folder, ReportSection section, List<AuditFinding> findings)
    {
        string path = context.Layout.Table(section.Name, "csv");
        string file = folder.Resolve(path);
        void Break(string message) => findings.Add(new AuditFinding(AuditSeverity.Break, AuditCheck.TableCell, StageIds.Report, path, message));
        if (!File.Exists(file))
        {
            Break("the table is not there");
            return;
        }
        var expected = ResultTable.FromCsv(section.Name, section.Table.ToCsv(), "rebuilt");
        ResultTable stored;
        try
        {
            stored = ResultTable.FromCsv(section.Name, File.ReadAllText(file), path);
        }
        catch (InvalidDataException e)
        {
            Break(e.Message);
            return;
        }
        if (!stored.Columns.SequenceEqual(expected.Columns) || !stored.Rows.Select(r => r.Key).SequenceEqual(expected.Rows.Select(r => r.Key)))
        {
            Break($"rows or columns differ from the table the stage results give (rows {string.Join(",", expected.Rows.Select(r => r.Key))}; columns {string.Join(",", expected.Columns)})");
            return;
        }
        foreach (var (row, rebuiltRow) in stored.Rows.Zip(expected.Rows))
            for (int c = 0; c < stored.Columns.Count; c++)
                if (row.Values[c] != rebuiltRow.Values[c])
                    Break(string.Create(CultureInfo.InvariantCulture,
                        $"cell {row.Key} / {stored.Columns[c]} is {row.Values[c]:F2}; the stage results give {rebuiltRow.Values[c]:F2}"));
    }
}

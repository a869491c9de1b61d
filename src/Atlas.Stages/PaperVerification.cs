using System.Text;
using Atlas.Pipeline.Specs;
using Atlas.Reports;
using Atlas.Store;

namespace Atlas.Stages;

/// <summary>
/// Checks the recomputed tables against the paper's reported numbers (<c>verify.paper</c>): every table that has a
/// reference file <c>{folder}/{backbone}/{table}.csv</c> is compared cell by cell (<see cref="PaperComparison"/>), the
/// paper / ours / difference of each cell is printed and written to <c>verify/paper.md</c>, and any cell outside the
/// tolerance or missing fails. A table the paper has no reference for is named and skipped.
/// </summary>
public sealed class PaperVerification(ExperimentContext context, PaperReferenceSpec reference)
{
    /// <summary>The comparison written beside the results, relative to the repository root.</summary>
    public string ReportPath => Path.Combine(context.Layout.VerifyDir, "paper.md");

    /// <summary>The reference file of <paramref name="table"/> for the spec's backbone, relative to the repository root
    /// (it may not exist: the paper reports no such table).</summary>
    public static string ReferencePath(PaperReferenceSpec reference, string backbone, string table) =>
        Path.Combine(reference.Folder, backbone, $"{table}.csv");

    /// <summary>The reference of <paramref name="table"/>, or null when the paper has none for this backbone.</summary>
    public static ReferenceTable? TryLoad(ExperimentContext context, PaperReferenceSpec reference, string table)
    {
        var path = ReferencePath(reference, context.Spec.Backbone, table);
        return File.Exists(context.Absolute(path)) ? ReferenceTable.Parse(File.ReadAllText(context.Absolute(path)), path) : null;
    }

    /// <returns>True when at least one table was compared and every compared table passed.</returns>
    /// <exception cref="DirectoryNotFoundException">No reference folder for the spec's backbone.</exception>
    public bool Verify(IReadOnlyList<string> tables)
    {
        var folder = Path.Combine(reference.Folder, context.Spec.Backbone);
        if (!Directory.Exists(context.Absolute(folder)))
            throw new DirectoryNotFoundException($"{folder}: no paper reference tables for backbone '{context.Spec.Backbone}' " +
                                                 $"(verify.paper.folder is '{reference.Folder}')");
        var report = new StringBuilder();
        report.AppendLine($"# Verification against the paper: backbone `{context.Spec.Backbone}`, tolerance ±{reference.Tolerance.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)} points");
        report.AppendLine();
        bool allPassed = true;
        int compared = 0;
        foreach (var table in tables)
        {
            var receivedPath = context.Layout.Table(table, "csv");
            if (!File.Exists(context.Absolute(receivedPath)))
                throw new FileNotFoundException($"{receivedPath}: no recomputed table; run the Report target first", receivedPath);
            if (TryLoad(context, reference, table) is not { } paper)
            {
                var line = $"[verify-paper] {table}: the paper reports no such table for {context.Spec.Backbone} ({ReferencePath(reference, context.Spec.Backbone, table)}); not compared";
                context.Log.WriteLine(line);
                report.AppendLine($"- {line}");
                report.AppendLine();
                continue;
            }
            var received = ResultTable.FromCsv(table, File.ReadAllText(context.Absolute(receivedPath)), receivedPath);
            var result = PaperComparison.Compare(table, paper, received, reference.Tolerance, reference.Average == PaperAverage.Printed);
            compared++;
            allPassed &= result.Passed;
            var text = result.Render();
            context.Log.Write(text);
            context.Log.WriteLine($"[verify-paper] {table}: {(result.Passed ? "PASS" : "FAIL")}");
            report.Append(text);
            report.AppendLine();
        }
        if (compared == 0)
        {
            var line = $"[verify-paper] no table of this run has a paper reference in {folder}: nothing verified";
            context.Log.WriteLine(line);
            report.AppendLine(line);
        }
        AtomicFile.WriteAllText(context.Absolute(ReportPath), report.ToString());
        return compared > 0 && allPassed;
    }
}

using Atlas.Reports;
using Atlas.Store;

namespace Atlas.Stages;

/// <summary>
/// Checks the recomputed tables against the approved files committed under the spec's <c>verify.approved</c> folder,
/// column by column within tolerance, and, when the spec has <c>verify.paper</c>, against the paper's reported numbers
/// (<see cref="PaperVerification"/>). On a mismatch with an approved table it writes the received table and a readable
/// diff; it never approves anything by itself — only <see cref="Approve"/>, run by a person, does.
/// </summary>
public sealed class TableVerification(ExperimentContext context)
{
    /// <summary>The tables an experiment approves.</summary>
    public IReadOnlyList<string> Tables => ReportStage.TableNames(context.Spec);

    /// <returns>True when every table matches its approved version (if <c>verify.approved</c> is given) and the paper's
    /// reference within tolerance (if <c>verify.paper</c> is given).</returns>
    public bool Verify()
    {
        var verify = RequireVerifySection();
        bool approved = verify.Approved is null || VerifyApproved();
        bool paper = verify.Paper is not { } reference || new PaperVerification(context, reference).Verify(Tables);
        return approved && paper;
    }

    private bool VerifyApproved()
    {
        var verify = RequireVerifySection();
        bool allMatch = true;
        foreach (var table in Tables)
        {
            var receivedPath = context.Layout.Table(table, "csv");
            if (!File.Exists(context.Absolute(receivedPath)))
                throw new FileNotFoundException($"{receivedPath}: no recomputed table; run the Report target first", receivedPath);
            var received = ResultTable.FromCsv(table, File.ReadAllText(context.Absolute(receivedPath)), receivedPath);
            var approvedPath = ApprovedPath(table);
            var receivedCopy = Path.Combine(context.Layout.VerifyDir, $"{table}.received.csv");
            var diffPath = Path.Combine(context.Layout.VerifyDir, $"{table}.diff.md");
            IReadOnlyList<string> differences = File.Exists(context.Absolute(approvedPath))
                ? TableComparison.Differences(
                    ResultTable.FromCsv(table, File.ReadAllText(context.Absolute(approvedPath)), approvedPath), received, verify.Tolerance)
                : [$"no approved table at {approvedPath}"];
            if (differences.Count == 0)
            {
                context.Log.WriteLine($"[verify] {table}: matches {approvedPath} within tolerance");
                foreach (var stale in new[] { receivedCopy, diffPath }.Select(context.Absolute).Where(File.Exists)) File.Delete(stale);
                continue;
            }
            allMatch = false;
            AtomicFile.WriteAllText(context.Absolute(receivedCopy), received.ToCsv());
            var report = TableComparison.DiffReport(approvedPath, receivedCopy, differences);
            AtomicFile.WriteAllText(context.Absolute(diffPath), report);
            context.Log.WriteLine($"[verify] {table}: MISMATCH (details in {diffPath})");
            context.Log.Write(report);
        }
        return allMatch;
    }

    /// <summary>Copies the received tables of the last verification over the approved ones (a deliberate human act).</summary>
    public void Approve()
    {
        RequireVerifySection();
        foreach (var table in Tables)
        {
            var receivedPath = context.Layout.Table(table, "csv");
            if (!File.Exists(context.Absolute(receivedPath)))
                throw new FileNotFoundException($"{receivedPath}: nothing to approve; run the Report target first", receivedPath);
            AtomicFile.WriteAllText(context.Absolute(ApprovedPath(table)), File.ReadAllText(context.Absolute(receivedPath)));
            context.Log.WriteLine($"[approve] {receivedPath} → {ApprovedPath(table)}");
        }
    }

    private string ApprovedPath(string table) => Path.Combine(
        RequireVerifySection().Approved ?? throw new InvalidOperationException($"{context.SpecPath}: verify has no 'approved' folder"),
        $"{table}.approved.csv");

    private Pipeline.Specs.VerifySpec RequireVerifySection() =>
        context.Spec.Verify ?? throw new InvalidOperationException($"{context.SpecPath}: no verify section, nothing to verify against");
}

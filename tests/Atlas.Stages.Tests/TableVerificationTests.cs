using Atlas.Pipeline.Provenance;
using Atlas.Reports;
using Atlas.Stages.Execution;
using Atlas.Stages.Tests.Support;

namespace Atlas.Stages.Tests;

/// <summary>
/// Verification against approved tables: a missing or different approved table fails with a received copy and a diff
/// beside the results; approval is explicit; tolerance (0.5 points in the micro spec) absorbs small drift only.
/// </summary>
public sealed class TableVerificationTests : IDisposable
{
    private const string Table = FoundationFamily.FineTuneTable;

    // Only the fine-tuning table exists here, so the spec asks for no other.
    private readonly TempRepository repository = new(MicroSpec.WithoutComposition);
    private readonly StringWriter log = new();
    private readonly ExperimentSession session;

    public TableVerificationTests() => session = repository.Open(log);

    public void Dispose()
    {
        session.Dispose();
        repository.Dispose();
    }

    private ArtifactLayout Layout => session.Context.Layout;
    private string Received => repository.Absolute(Path.Combine(Layout.VerifyDir, $"{Table}.received.csv"));
    private string Diff => repository.Absolute(Path.Combine(Layout.VerifyDir, $"{Table}.diff.md"));
    private string Approved => repository.Absolute(Path.Combine("approved", "micro", $"{Table}.approved.csv"));

    private static ResultTable Recomputed { get; } = new("accuracy", "task", ["zero_shot_test", "finetuned_test"],
    [
        new ResultRow("mnist", [12.5, 90.625]),
        new ResultRow("mnist_parity", [46.875, 81.25]),
        new ResultRow("mean", [29.6875, 85.9375]),
    ]);

    private void WriteRecomputed() =>
        File.WriteAllText(repository.Absolute(Layout.Table(Table, "csv")).CreatingFolder(), Recomputed.ToCsv());

    private void EditApproved(string row, string column, double delta)
    {
        var approved = ResultTable.FromCsv(Table, File.ReadAllText(Approved), Approved);
        int c = approved.Columns.ToList().IndexOf(column);
        var rows = approved.Rows.Select(r => r.Key == row ? r with { Values = r.Values.Select((v, i) => i == c ? v + delta : v).ToList() } : r).ToList();
        File.WriteAllText(Approved, (approved with { Rows = rows }).ToCsv());
    }

    [Fact]
    public void Without_an_approved_table_verify_fails_and_writes_received_and_diff()
    {
        WriteRecomputed();
        var verification = new TableVerification(session.Context);

        Assert.False(verification.Verify());

        Assert.Equal(Recomputed.ToCsv(), File.ReadAllText(Received));
        Assert.Contains("no approved table", File.ReadAllText(Diff));
        Assert.False(File.Exists(Approved), "verification approved something by itself");
    }

    [Fact]
    public void Approved_table_verifies_and_stale_received_and_diff_are_removed()
    {
        WriteRecomputed();
        var verification = new TableVerification(session.Context);
        Assert.False(verification.Verify());

        verification.Approve();

        Assert.Equal(Recomputed.ToCsv(), File.ReadAllText(Approved));
        Assert.True(verification.Verify());
        Assert.False(File.Exists(Received));
        Assert.False(File.Exists(Diff));
    }

    [Fact]
    public void Value_beyond_tolerance_fails_and_the_diff_names_row_and_column()
    {
        WriteRecomputed();
        var verification = new TableVerification(session.Context);
        verification.Approve();
        EditApproved("mnist_parity", "finetuned_test", +0.75);
        string approvedBefore = File.ReadAllText(Approved);

        Assert.False(verification.Verify());

        var diff = File.ReadAllText(Diff);
        Assert.Contains("mnist_parity / finetuned_test", diff);
        Assert.Contains("1 difference", diff);
        Assert.DoesNotContain("mnist /", diff);
        Assert.Equal(Recomputed.ToCsv(), File.ReadAllText(Received));
        Assert.Equal(approvedBefore, File.ReadAllText(Approved));
    }

    [Fact]
    public void Value_within_tolerance_passes()
    {
        WriteRecomputed();
        var verification = new TableVerification(session.Context);
        Assert.False(verification.Verify());
        verification.Approve();
        EditApproved("mnist_parity", "finetuned_test", -0.4);
        EditApproved("mean", "zero_shot_test", +0.5);

        Assert.True(verification.Verify());
        Assert.False(File.Exists(Received));
        Assert.False(File.Exists(Diff));
    }

    /// <summary>
    /// A fresh checkout: the approved table is committed, the run recomputes a matching one, and the first verification
    /// passes (no verify folder exists yet). Fails today: Verify deletes the stale received/diff files of a folder that
    /// does not exist, and File.Delete throws DirectoryNotFoundException for a missing folder.
    /// </summary>
    [Fact]
    public void First_verification_against_a_committed_approved_table_passes()
    {
        WriteRecomputed();
        File.WriteAllText(Approved.CreatingFolder(), Recomputed.ToCsv());

        Assert.True(new TableVerification(session.Context).Verify());
        Assert.False(File.Exists(Received));
        Assert.False(File.Exists(Diff));
    }

    [Fact]
    public void Missing_or_extra_row_fails_whatever_the_tolerance()
    {
        WriteRecomputed();
        var verification = new TableVerification(session.Context);
        verification.Approve();
        File.WriteAllText(Approved, (Recomputed with { Rows = [.. Recomputed.Rows.Where(r => r.Key != "mnist")] }).ToCsv());

        Assert.False(verification.Verify());
        Assert.Contains("row 'mnist' is new", File.ReadAllText(Diff));
    }

    [Fact]
    public void Approving_records_each_finished_stages_duration_beside_the_tables_for_ordering_a_cold_run()
    {
        Assert.True(session.Run(StageIds.Data, force: false));
        var lockRecord = LockStore.Read(repository.Absolute(Layout.StageDir(StageIds.Data))).Record!;
        string file = repository.Absolute(Path.Combine("approved", "micro", ApprovedStageSeconds.FileName));
        Assert.Empty(ApprovedStageSeconds.Read(session.Context)); // nothing approved yet: no hints

        // Only the data stage has run: it is the one stage recorded, at its lock's duration.
        Assert.Equal(1, ApprovedStageSeconds.Write(session));
        var hints = ApprovedStageSeconds.Read(session.Context);
        Assert.Equal([StageIds.Data], hints.Keys);
        Assert.Equal(Math.Round(lockRecord.DurationSeconds, 1), hints[StageIds.Data]);

        // A hint only: a damaged file orders stages as if there were none, and nothing fails.
        File.WriteAllText(file, "{ \"data\": ");
        Assert.Empty(ApprovedStageSeconds.Read(session.Context));
    }

    [Fact]
    public void Verify_without_a_recomputed_table_says_to_run_the_report()
    {
        var error = Assert.Throws<FileNotFoundException>(() => new TableVerification(session.Context).Verify());
        Assert.Contains("run the Report target first", error.Message);
    }
}

internal static class PathExtensions
{
    /// <summary>The path, after creating its folder.</summary>
    public static string CreatingFolder(this string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }
}

using System.Text.Json;
using Atlas.Reports;
using Atlas.Stages.Tests.Support;

namespace Atlas.Stages.Tests;

/// <summary>
/// <c>verify.paper</c>: the run's tables against reference files in <c>{folder}/{backbone}/</c>, within the stated
/// tolerance, with paper / ours / difference in the log and in <c>verify/paper.md</c>; the report's lock parameters stay
/// as they were for a spec without it (the mini's).
/// </summary>
public sealed class PaperVerificationTests : IDisposable
{
    private const string Table = FoundationFamily.FineTuneTable;

    private static readonly string PaperSpec = MicroSpec.WithoutComposition.Replace(
        "verify:\n  approved: approved/micro\n  tolerance: { default: 0.5 }", "verify:\n  paper: { folder: reference, tolerance: 1.0 }", StringComparison.Ordinal);

    private readonly TempRepository repository = new(PaperSpec);
    private readonly StringWriter log = new();
    private readonly ExperimentSession session;

    public PaperVerificationTests()
    {
        Assert.Contains("paper: { folder: reference", PaperSpec, StringComparison.Ordinal);
        session = repository.Open(log);
        var recomputed = new ResultTable("accuracy", "task", ["zero_shot_test", "finetuned_test"],
        [
            new ResultRow("mnist", [12.5, 90.5]),
            new ResultRow("mnist_parity", [46.0, 81.0]),
            new ResultRow("mean", [29.25, 85.75]),
        ]);
        File.WriteAllText(repository.Absolute(session.Context.Layout.Table(Table, "csv")).CreatingFolder(), recomputed.ToCsv());
    }

    public void Dispose()
    {
        session.Dispose();
        repository.Dispose();
    }

    private void WriteReference(double mnistFinetuned) =>
        File.WriteAllText(repository.Absolute(Path.Combine("reference", "mini", $"{Table}.csv")).CreatingFolder(), $"""
            # source: a test's made-up paper
            # average: none
            # datasets: mnist, mnist_parity, cars
            task,zero_shot_test,finetuned_test
            mnist,13.0,{mnistFinetuned:F2}
            mnist_parity,46.5,80.5
            cars,50.0,80.0
            """);

    [Fact]
    public void Half_a_point_from_the_paper_passes_and_the_comparison_is_written_beside_the_results()
    {
        WriteReference(mnistFinetuned: 91.0);

        Assert.True(new TableVerification(session.Context).Verify());

        var written = File.ReadAllText(repository.Absolute(Path.Combine(session.Context.Layout.VerifyDir, "paper.md")));
        Assert.Contains("tolerance ±1.00 points", written, StringComparison.Ordinal);
        Assert.Contains("| mnist | finetuned_test | 91.00 | 90.50 | -0.50 | yes |", written, StringComparison.Ordinal);
        Assert.Contains("| mnist_parity | finetuned_test | 80.50 | 81.00 | +0.50 | yes |", written, StringComparison.Ordinal);
        Assert.Contains("not compared, datasets this run did not include: cars", written, StringComparison.Ordinal);
        Assert.Contains("ignored, only in our table (the paper reports none): row 'mean'", written, StringComparison.Ordinal);
        Assert.Contains("[verify-paper] finetune_accuracy: PASS", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void One_and_a_half_points_from_the_paper_fails_naming_the_cell()
    {
        WriteReference(mnistFinetuned: 92.0);

        Assert.False(new TableVerification(session.Context).Verify());

        var text = log.ToString();
        Assert.Contains("| mnist | finetuned_test | 92.00 | 90.50 | -1.50 | **OUTSIDE** |", text, StringComparison.Ordinal);
        Assert.Contains("finetune_accuracy: FAIL, 1 of 4 cell(s) outside ±1.00 (mnist / finetuned_test), 0 missing", text, StringComparison.Ordinal);
    }

    [Fact]
    public void No_reference_folder_for_the_backbone_is_an_error_naming_it()
    {
        var error = Assert.Throws<DirectoryNotFoundException>(() => new TableVerification(session.Context).Verify());
        Assert.StartsWith($"{Path.Combine("reference", "mini")}: no paper reference tables for backbone 'mini'", error.Message, StringComparison.Ordinal);
    }

    private static ResultTable Small { get; } = new("accuracy", "task", ["zero_shot_test", "finetuned_test"],
        [new ResultRow("mnist", [12.5, 90.5]), new ResultRow("mean", [12.5, 90.5])]);

    [Fact]
    public void Report_table_shows_the_papers_column_with_verify_paper()
    {
        WriteReference(mnistFinetuned: 91.0);

        var markdown = ReportStage.TableMarkdown(session.Context, new ReportSection(Table, Small, "summary"));

        Assert.StartsWith("""
            | task | zero_shot_test | zero_shot_test (paper) | finetuned_test | finetuned_test (paper) |
            |---|---:|---:|---:|---:|
            | mnist | 12.50 | 13.00 | 90.50 | 91.00 |
            | mean | 12.50 | – | 90.50 | – |

            The `(paper)` columns are the paper's reported numbers from `reference/mini/finetune_accuracy.csv` (a test's made-up paper); averages compared with the mean of the paper's per-dataset row (none).
            """.ReplaceLineEndings("\n"), markdown.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Report_table_is_unchanged_without_verify_paper_or_without_a_reference()
    {
        using var micro = new TempRepository(MicroSpec.WithoutComposition);
        using var microSession = micro.Open(new StringWriter());
        var section = new ReportSection(Table, Small, "summary");

        Assert.Equal(Small.ToMarkdown(), ReportStage.TableMarkdown(microSession.Context, section));
        Assert.Equal(Small.ToMarkdown(), ReportStage.TableMarkdown(session.Context, section)); // verify.paper, no reference file
    }

    [Fact]
    public void Report_lock_parameters_change_only_with_verify_paper()
    {
        using var micro = new TempRepository(MicroSpec.WithoutComposition);
        using var microSession = micro.Open(new StringWriter());

        var without = JsonSerializer.Serialize(new ReportStage([]).Parameters(microSession.Context));
        var with = JsonSerializer.Serialize(new ReportStage([]).Parameters(session.Context));

        Assert.Equal("""{"Tasks":["mnist","mnist_parity","fashion_coarse"],"Tables":["finetune_accuracy"],"CostTables":[],"Figures":[]}""", without);
        Assert.Equal("""{"Tasks":["mnist","mnist_parity","fashion_coarse"],"Tables":["finetune_accuracy"],"CostTables":[],"Figures":[],"PaperReference":{"Folder":"reference","Average":"row_mean"}}""", with);
    }
}

using Atlas.Reports;

namespace Atlas.Reports.Tests;

/// <summary>
/// The comparison of a run's table with the paper's: the committed ViT-B/32 task-addition reference against a run table
/// made 0.5 points off (passes at ±1) and 1.5 points off in two cells (fails, naming them with paper / ours / difference);
/// missing, extra, unreported and skipped cells on a small hand-written reference; the report's side-by-side table.
/// </summary>
public sealed class PaperComparisonTests
{
    private static readonly string[] Eight = ["cars", "dtd", "eurosat", "gtsrb", "mnist", "resisc45", "sun397", "svhn"];

    private static ReferenceTable TaskAddition(string backbone) =>
        ReferenceTable.Load(Path.Combine(RepositoryRoot.Path, "experiments", "reference", "paper", backbone, "task_addition.csv"));

    /// <summary>A run's task-addition table (as AdditionTables builds it: no linearised rows, a TIES row the paper lacks)
    /// whose cells are the paper's ViT-B/32 values plus <paramref name="offset"/>, except the cells in <paramref name="overrides"/>.</summary>
    private static ResultTable ShiftedRun(double offset, params (string Row, string Column, double Offset)[] overrides)
    {
        // The paper's ViT-B/32 Table 8 values, typed from numbers.md §1.2; means: the row means (numbers.md "mine").
        var paper = new Dictionary<string, double[]>
        {
            ["zero_shot"] = [59.73, 43.99, 45.19, 32.56, 48.25, 60.65, 63.18, 31.61, 48.15, 0],
            ["finetuned"] = [78.26, 78.94, 98.89, 99.14, 99.65, 95.94, 75.40, 97.38, 90.45, 100],
            ["task_arithmetic"] = [58.97, 52.29, 80.04, 66.74, 95.96, 70.54, 60.74, 75.66, 70.12, 77.24],
            ["ties_merging"] = [60, 60, 60, 60, 60, 60, 60, 60, 60, 60],
            ["atlas_isotropic"] = [56.88, 51.97, 87.96, 73.14, 82.23, 61.16, 62.88, 87.98, 70.53, 77.66],
            ["atlas_blockwise"] = [71.56, 72.66, 93.93, 89.8, 96.13, 87.71, 68.9, 91.94, 84.08, 92.84],
        };
        string[] columns = [.. Eight, "mean_absolute", "mean_normalized"];
        var rows = paper.Select(p => new ResultRow(p.Key, [.. p.Value.Select((v, i) =>
            v + (overrides.FirstOrDefault(o => o.Row == p.Key && o.Column == columns[i]) is { Row: not null } o ? o.Offset : offset))])).ToList();
        return new ResultTable("Task addition", "method", columns, rows);
    }

    [Fact]
    public void Half_a_point_off_passes_at_tolerance_one()
    {
        var result = PaperComparison.Compare("task_addition", TaskAddition("ViT-B-32"), ShiftedRun(0.5), tolerance: 1.0, comparePrintedAverages: false);

        Assert.True(result.Passed);
        // zero_shot and finetuned: 8 datasets + mean_absolute (the paper has no Rel. for them); three methods: 8 + 2.
        Assert.Equal(9 + 9 + 3 * 10, result.Cells.Count);
        Assert.All(result.Cells, c => Assert.Equal(0.5, c.Difference, 9));
        Assert.Empty(result.Missing);
        Assert.Equal(["zero_shot / mean_normalized", "finetuned / mean_normalized"], result.NotReported);
        Assert.Equal(["row 'ties_merging'"], result.OursOnly);
        var text = result.Render();
        Assert.Contains("| atlas_blockwise | cars | 71.56 | 72.06 | +0.50 | yes |", text, StringComparison.Ordinal);
        Assert.Contains("averages compared with: the mean of the paper's per-dataset row", text, StringComparison.Ordinal);
        Assert.Contains("atlas_blockwise (row mean 84.08 / 92.84, printed 84.98 / 93.79)", text, StringComparison.Ordinal);
        Assert.Contains("ignored, only in our table (the paper reports none): row 'ties_merging'", text, StringComparison.Ordinal);
        Assert.Contains("not compared, atlas_blockwise_linearized: this project has no linearised task vectors", text, StringComparison.Ordinal);
        Assert.EndsWith("task_addition: PASS, 48 cell(s) within ±1.00 of the paper\n", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void One_and_a_half_points_off_fails_naming_the_cells_with_paper_ours_and_difference()
    {
        var run = ShiftedRun(0.5, ("atlas_blockwise", "cars", 1.5), ("task_arithmetic", "svhn", -1.5));

        var result = PaperComparison.Compare("task_addition", TaskAddition("ViT-B-32"), run, tolerance: 1.0, comparePrintedAverages: false);

        Assert.False(result.Passed);
        Assert.Equal([("task_arithmetic", "svhn"), ("atlas_blockwise", "cars")], result.Outside.Select(c => (c.Row, c.Column)));
        var text = result.Render();
        Assert.Contains("| atlas_blockwise | cars | 71.56 | 73.06 | +1.50 | **OUTSIDE** |", text, StringComparison.Ordinal);
        Assert.Contains("| task_arithmetic | svhn | 75.66 | 74.16 | -1.50 | **OUTSIDE** |", text, StringComparison.Ordinal);
        Assert.Contains("task_addition: FAIL, 2 of 48 cell(s) outside ±1.00 (task_arithmetic / svhn, atlas_blockwise / cars), 0 missing", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Printed_average_is_compared_only_when_asked()
    {
        // ViT-B/16 aTLAS: the row mean is 82.90, the printed Average 86.08 (numbers.md §1.2). A run equal to the
        // per-dataset row passes against the row mean and fails against the printed Average by 3.18 points.
        var paper = TaskAddition("ViT-B-16");
        var run = new ResultTable("t", "method", [.. Eight, "mean_absolute"],
            [new ResultRow("atlas_blockwise", [71.79, 67.07, 91.85, 91.9, 97.02, 84.3, 66.6, 92.66, 82.90])]);

        // (The run has only this row and no mean_normalized, so those cells are missing in both; they are not the point.)
        Assert.Empty(PaperComparison.Compare("task_addition", paper, run, 1.0, comparePrintedAverages: false).Outside);
        var printed = PaperComparison.Compare("task_addition", paper, run, 1.0, comparePrintedAverages: true);

        Assert.False(printed.Passed);
        var outside = Assert.Single(printed.Outside);
        Assert.Equal(("atlas_blockwise", "mean_absolute", 86.08), (outside.Row, outside.Column, outside.Paper));
        Assert.Equal(-3.18, outside.Difference, 9);
        Assert.Contains("the paper's printed Average (verify.paper.average: printed)", printed.Render(), StringComparison.Ordinal);
    }

    // A small reference: datasets as columns, one unreported cell, one not-compared row, a printed average column.
    private const string Small = """
        # source: hand-written for the test
        # average: mean is the row mean; printed_mean the printed one
        # datasets: cars, dtd
        # not-compared: linearized: no such method here
        method,cars,dtd,mean,printed_mean
        zero_shot,50.00,40.00,45.00,46.00
        atlas,70.00,,70.00,
        linearized,80.00,80.00,80.00,
        """;

    private static ReferenceTable SmallReference => ReferenceTable.Parse(Small, "small.csv");

    [Fact]
    public void Cell_the_paper_reports_and_the_run_lacks_is_missing_and_fails()
    {
        // The run has the dtd column but no atlas row at all: atlas / cars and atlas / mean are missing.
        var run = new ResultTable("t", "method", ["cars", "dtd", "mean"], [new ResultRow("zero_shot", [50, 40, 45])]);

        var result = PaperComparison.Compare("t", SmallReference, run, 1.0, comparePrintedAverages: false);

        Assert.False(result.Passed);
        Assert.Equal(3, result.Cells.Count);
        Assert.Equal(["atlas / cars (paper 70.00; our table has no row 'atlas')", "atlas / mean (paper 70.00; our table has no row 'atlas')"], result.Missing);
        var text = result.Render();
        Assert.Contains("- MISSING: atlas / cars (paper 70.00; our table has no row 'atlas')", text, StringComparison.Ordinal);
        Assert.Contains("t: FAIL, 0 of 3 cell(s) outside ±1.00, 2 missing", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Average_column_the_run_lacks_is_missing_and_a_nan_cell_too()
    {
        var run = new ResultTable("t", "method", ["cars", "dtd"],
            [new ResultRow("zero_shot", [50, double.NaN]), new ResultRow("atlas", [70, 1])]);

        var result = PaperComparison.Compare("t", SmallReference, run, 1.0, comparePrintedAverages: false);

        Assert.False(result.Passed);
        Assert.Equal(
        [
            "zero_shot / dtd (paper 40.00; ours is NaN)",
            "zero_shot / mean (paper 45.00; our table has no column 'mean')",
            "atlas / mean (paper 70.00; our table has no column 'mean')",
        ], result.Missing);
    }

    [Fact]
    public void Extra_cells_unreported_cells_and_datasets_not_run_are_ignored_and_said_so()
    {
        // The run covers cars only (no dtd), has an extra row and column, and an atlas / dtd cell the paper left empty
        // would be ignored had the run included dtd.
        var run = new ResultTable("t", "method", ["cars", "mean", "extra"],
        [
            new ResultRow("zero_shot", [50.9, 45.0, 1]),
            new ResultRow("atlas", [69.1, 70.5, 2]),
            new ResultRow("ties_merging", [1, 1, 1]),
        ]);

        var result = PaperComparison.Compare("t", SmallReference, run, 1.0, comparePrintedAverages: false);

        Assert.True(result.Passed);
        Assert.Equal(4, result.Cells.Count);
        Assert.Equal(["dtd"], result.NotInRun);
        Assert.Equal(["row 'ties_merging'", "column 'extra'"], result.OursOnly);
        var text = result.Render();
        Assert.Contains("- not compared, datasets this run did not include: dtd", text, StringComparison.Ordinal);
        Assert.Contains("- not compared, linearized: no such method here", text, StringComparison.Ordinal);
        Assert.Contains("- ignored, only in our table (the paper reports none): row 'ties_merging', column 'extra'", text, StringComparison.Ordinal);

        var withDtd = new ResultTable("t", "method", ["cars", "dtd", "mean"], [new ResultRow("atlas", [70, 99, 70])]);
        var unreported = PaperComparison.Compare("t", SmallReference, withDtd, 1.0, comparePrintedAverages: false);
        Assert.Equal(["atlas / dtd"], unreported.NotReported);
        Assert.Contains("- ignored, the paper reports no value: atlas / dtd", unreported.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void Printed_value_falls_back_to_the_row_mean_where_the_paper_printed_none()
    {
        var run = new ResultTable("t", "method", ["cars", "mean"], [new ResultRow("zero_shot", [50, 46]), new ResultRow("atlas", [70, 70])]);

        var result = PaperComparison.Compare("t", SmallReference, run, 0.5, comparePrintedAverages: true);

        Assert.True(result.Passed);
        Assert.Equal([50, 46, 70, 70], result.Cells.Select(c => c.Paper));
    }

    [Fact]
    public void Nothing_in_common_fails()
    {
        var run = new ResultTable("t", "method", ["dtd"], [new ResultRow("ties_merging", [1])]);

        var result = PaperComparison.Compare("t", ReferenceTable.Parse("# datasets: cars\nmethod,cars\natlas,1\n", "r.csv"), run, 1.0, false);

        Assert.False(result.Passed);
        Assert.Contains("t: FAIL, no cell compared", result.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void Different_key_column_is_an_error_naming_the_reference()
    {
        var run = new ResultTable("t", "target", ["cars"], [new ResultRow("atlas", [1])]);
        var error = Assert.Throws<InvalidDataException>(() => PaperComparison.Compare("t", SmallReference, run, 1.0, false));
        Assert.Equal("small.csv: its key column is 'method', the run's t table has 'target'", error.Message);
    }

    [Fact]
    public void Report_table_shows_the_papers_value_beside_each_column_it_reports()
    {
        var run = new ResultTable("t", "method", ["cars", "dtd", "extra"],
            [new ResultRow("zero_shot", [50.5, 40.25, 1]), new ResultRow("atlas", [71, 60, 2]), new ResultRow("ties_merging", [3, 4, 5])]);

        var markdown = PaperComparison.MarkdownWithPaper(run, SmallReference, comparePrintedAverages: false);

        Assert.Equal("""
            | method | cars | cars (paper) | dtd | dtd (paper) | extra |
            |---|---:|---:|---:|---:|---:|
            | zero_shot | 50.50 | 50.00 | 40.25 | 40.00 | 1.00 |
            | atlas | 71.00 | 70.00 | 60.00 | – | 2.00 |
            | ties_merging | 3.00 | – | 4.00 | – | 5.00 |

            """.ReplaceLineEndings("\n"), markdown.ReplaceLineEndings("\n"));
    }
}

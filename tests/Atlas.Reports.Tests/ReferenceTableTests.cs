using Atlas.Reports;

namespace Atlas.Reports.Tests;

/// <summary>
/// The committed reference tables (<c>experiments/reference/paper/</c>) parse and hold numbers.md's values (typed here
/// by hand from numbers.md, not read from the files), and malformed reference files fail naming the file and line.
/// </summary>
public sealed class ReferenceTableTests
{
    private static readonly string Folder = Path.Combine(RepositoryRoot.Path, "experiments", "reference", "paper");

    private static ReferenceTable Load(string backbone, string table) => ReferenceTable.Load(Path.Combine(Folder, backbone, table + ".csv"));

    [Fact]
    public void Every_committed_reference_parses_and_names_its_source_and_average()
    {
        var files = Directory.GetFiles(Folder, "*.csv", SearchOption.AllDirectories);

        Assert.Equal(21, files.Length); // 9 for ViT-B/32, 6 each for ViT-B/16 and ViT-L/14
        foreach (var file in files)
        {
            var table = ReferenceTable.Load(file);
            Assert.NotEmpty(table.Sources);
            Assert.NotEmpty(table.Averages);
            Assert.NotEmpty(table.Rows);
        }
    }

    [Fact]
    public void Task_addition_holds_table_8_and_flags_the_printed_average_that_is_not_the_row_mean()
    {
        var b32 = Load("ViT-B-32", "task_addition");

        Assert.Equal(71.56, b32.Cell("atlas_blockwise", "cars"));
        Assert.Equal(91.94, b32.Cell("atlas_blockwise", "svhn"));
        Assert.Equal(58.97, b32.Cell("task_arithmetic", "cars"));
        Assert.Equal(78.26, b32.Cell("finetuned", "cars")); // [J] ft_accuracies.json
        Assert.Equal(84.08, b32.Cell("atlas_blockwise", "mean_absolute"));
        Assert.Equal(84.98, b32.Cell("atlas_blockwise", "printed_mean_absolute"));
        Assert.Equal(92.84, b32.Cell("atlas_blockwise", "mean_normalized"));
        Assert.Equal(93.79, b32.Cell("atlas_blockwise", "printed_mean_normalized"));
        Assert.Equal(84.08, b32.Expected("atlas_blockwise", "mean_absolute", printed: false));
        Assert.Equal(84.98, b32.Expected("atlas_blockwise", "mean_absolute", printed: true));
        Assert.Null(b32.Cell("zero_shot", "mean_normalized"));
        Assert.Contains(b32.Averages, a => a.Contains("atlas_blockwise (row mean 84.08 / 92.84, printed 84.98 / 93.79)", StringComparison.Ordinal));
        Assert.Equal(["cars", "dtd", "eurosat", "gtsrb", "mnist", "resisc45", "sun397", "svhn"], b32.Datasets.Order(StringComparer.Ordinal));
        Assert.Contains("atlas_blockwise_linearized", b32.NotCompared.Keys);

        var b16 = Load("ViT-B-16", "task_addition");
        Assert.Equal(82.90, b16.Cell("atlas_blockwise", "mean_absolute"));
        Assert.Equal(86.08, b16.Cell("atlas_blockwise", "printed_mean_absolute"));
        Assert.Equal(96.24, Load("ViT-L-14", "task_addition").Cell("atlas_blockwise", "svhn"));
    }

    [Fact]
    public void Negation_few_shot_test_time_peft_and_finetune_tables_hold_numbers_md_values()
    {
        var negation = Load("ViT-B-32", "task_negation");
        Assert.Equal(28.95, negation.Cell("cars", "atlas_target"));
        Assert.Equal(60.52, negation.Cell("cars", "atlas_control"));
        Assert.Equal(19.42, negation.Cell("mean", "atlas_target"));
        Assert.Equal(18.76, negation.Cell("printed_mean", "atlas_target"));
        Assert.Equal(18.76, negation.Expected("mean", "atlas_target", printed: true));
        Assert.Equal(16.63, Load("ViT-B-16", "task_negation").Cell("cars", "atlas_target"));

        Assert.Equal(72.9, Load("ViT-B-32", "few_shot").Cell("atlas", "k16_mean"));
        Assert.Equal(60.4, Load("ViT-B-32", "few_shot").Cell("zero_shot", "k4_mean"));
        Assert.Equal(85.3, Load("ViT-L-14", "few_shot").Cell("atlas_tip_adapter", "k16_mean"));
        Assert.Equal(39.1, Load("ViT-B-32", "few_shot_per_dataset").Cell("atlas_tip_adapter_k16", "fgvc_aircraft"));
        Assert.Equal(66.9, Load("ViT-B-32", "test_time_adaptation").Cell("mean", "ufm"));
        Assert.Equal(62.9, Load("ViT-B-32", "test_time_adaptation").Cell("mean", "sar"));
        Assert.Equal(83.6, Load("ViT-B-32", "peft").Cell("lora_r16", "pct_100"));
        Assert.Equal(71.3, Load("ViT-B-32", "peft").Cell("atlas_x1200", "pct_1"));

        var finetune = Load("ViT-B-32", "finetune_accuracy");
        Assert.Equal(85.01, finetune.Cell("ucf101", "finetuned_test"));
        Assert.Equal(99.92, finetune.Cell("gtsrb", "finetuned_val"));
        var b16 = Load("ViT-B-16", "finetune_accuracy");
        Assert.Equal(95.22, b16.Cell("caltech101", "finetuned_test")); // Table 5: the B/16 JSON lacks caltech101
        Assert.Null(b16.Cell("caltech101", "zero_shot_test"));
        Assert.Equal(17.34, Load("ViT-B-16", "task_negation_headline").Cell("atlas", "target"));
        Assert.Equal(91.36, Load("ViT-L-14", "task_addition_headline").Cell("atlas_blockwise", "mean_absolute"));
    }

    [Theory]
    [InlineData("# source: x\n# average: y\nmethod,a\nrow,1.x\n", "ref.csv:4: column 'a' is not a number: '1.x'")]
    [InlineData("# source: x\n# colour: y\nmethod,a\nrow,1\n", "ref.csv:2: unknown header key 'colour'")]
    [InlineData("# not-compared: b: gone\nmethod,a\nrow,1\n", "ref.csv: not-compared names no row or column: b")]
    [InlineData("# source: x\nmethod,a\nrow,1,2\n", "ref.csv:3: 3 cells, the header has 2")]
    [InlineData("# datasets: a, cars\nmethod,a\nrow,1\n", "ref.csv: datasets names no row or column: cars")]
    [InlineData("# source: x\n", "ref.csv: no CSV header")]
    public void Malformed_reference_fails_naming_file_and_line(string text, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => ReferenceTable.Parse(text, "ref.csv"));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_reference_file_fails_naming_the_path()
    {
        var error = Assert.Throws<FileNotFoundException>(() => ReferenceTable.Load("/nowhere/task_addition.csv"));
        Assert.Contains("/nowhere/task_addition.csv", error.Message, StringComparison.Ordinal);
    }
}

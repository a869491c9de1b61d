namespace Atlas.Cli.Tests;

/// <summary>verify, approve, clean, import-mini-data and bench: their error paths, and clean's success.</summary>
public sealed class ArtifactVerbTests : CliTestFolder
{
    [Fact]
    public void Verify_without_recomputed_tables_fails_and_says_what_to_run()
    {
        var result = Atlas("verify", "--spec", "mini.yaml");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("error: artifacts/mini/tables/finetune_accuracy.csv: no recomputed table; run the Report target first",
            result.Error.TrimEnd());
    }

    [Fact]
    public void Approve_without_recomputed_tables_fails_and_approves_nothing()
    {
        var result = Atlas("approve", "--spec", "mini.yaml");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("error: artifacts/mini/tables/finetune_accuracy.csv: nothing to approve; run the Report target first",
            result.Error.TrimEnd());
        Assert.False(Directory.Exists(folder.File("approved")), "approve wrote an approved table");
    }

    [Fact]
    public void Clean_removes_the_experiment_folder_only()
    {
        var stale = folder.FilePath("artifacts/mini/tables/finetune_accuracy.csv");
        File.WriteAllText(stale, "stale");
        var other = folder.FilePath("artifacts/other/keep.txt");
        File.WriteAllText(other, "keep");

        var result = Atlas("clean", "--spec", "mini.yaml");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("removed artifacts/mini", result.Out.TrimEnd());
        Assert.False(Directory.Exists(folder.File("artifacts/mini")));
        Assert.True(File.Exists(other));
    }

    [Fact]
    public void Import_mini_data_from_folders_that_are_not_the_packages_fails_naming_the_missing_file()
    {
        foreach (var package in new[] { "mnist", "fashion", "sklearn" }) Directory.CreateDirectory(folder.File(package));

        var result = Atlas("import-mini-data", "--mnist-package", "mnist", "--fashion-package", "fashion", "--sklearn-package", "sklearn",
            "--out", "mini");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.StartsWith("error: ", result.Error);
        Assert.Contains("package/package.json", result.Error);
    }

    [Fact]
    public void Bench_refuses_an_unknown_size_before_measuring_anything()
    {
        var result = Atlas("bench", "--size", "huge", "--out", "bench");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("error: Unknown bench size 'huge'. Known sizes: mini, tiny.", result.Error.TrimEnd());
        Assert.False(Directory.Exists(folder.File("bench")), "a refused bench wrote a report");
    }
}

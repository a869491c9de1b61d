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
    public void Verify_needs_no_data_a_reviewers_copy_of_the_tables_and_the_approved_files_are_enough()
    {
        // The data root is an environment variable the reviewer has not set (a run refuses that spec); the tables are
        // the approved ones.
        File.WriteAllText(folder.File("mini.yaml"), File.ReadAllText(folder.File("mini.yaml"))
            .Replace(RepositoryRoot.MiniData.Replace('\\', '/'), "${ATLAS_TEST_REVIEWER_DATA_NOT_SET}", StringComparison.Ordinal));
        Assert.Equal(2, Atlas("validate", "--spec", "mini.yaml").ExitCode);
        foreach (var approved in Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "experiments", "approved", "mini"), "*.approved.csv"))
        {
            string table = Path.GetFileName(approved).Replace(".approved.csv", ".csv", StringComparison.Ordinal);
            Directory.CreateDirectory(folder.File("artifacts/mini/tables"));
            Directory.CreateDirectory(folder.File("experiments/approved/mini"));
            File.Copy(approved, folder.File(Path.Combine("artifacts/mini/tables", table)));
            File.Copy(approved, folder.File(Path.Combine("experiments/approved/mini", Path.GetFileName(approved))));
        }

        var result = Atlas("verify", "--spec", "mini.yaml");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("[verify] task_addition: matches experiments/approved/mini/task_addition.approved.csv within tolerance", result.Out);
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

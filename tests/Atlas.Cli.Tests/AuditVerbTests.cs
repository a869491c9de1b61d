namespace Atlas.Cli.Tests;

/// <summary><c>atlas audit</c> through the CLI: its exit codes, finding lines and summary, in the repository and on a copy
/// given by <c>--artifacts</c>. (Passing audits and each kind of tampering: Atlas.Stages.Tests' AuditTests.)</summary>
public sealed class AuditVerbTests : CliTestFolder
{
    [Fact]
    public void Audit_without_an_artifacts_folder_fails_naming_the_folder()
    {
        var result = Atlas("audit", "--spec", "mini.yaml");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("artifacts/mini: no artifacts folder to audit", result.Error);
    }

    [Fact]
    public void Audit_of_a_partly_run_experiment_names_every_stage_without_a_lock_and_exits_1()
    {
        var run = Atlas("run", "--spec", "mini.yaml", "--stage", "data");
        Assert.True(run.ExitCode == 0, run.ToString());

        var result = Atlas("audit", "--spec", "mini.yaml");

        Assert.True(result.ExitCode == 1, result.ToString());
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("BREAK", StringComparison.Ordinal) && l.Contains("lock_missing") && l.Contains(" pretrain ")
                                    && l.Contains("artifacts/mini/pretrain/lock.json"));
        Assert.DoesNotContain(lines, l => l.Contains(" data ") && l.StartsWith("BREAK", StringComparison.Ordinal));
        Assert.Contains("FAILED: 65 stages, 1 lock records", lines[^1]);

        // The same folder copied elsewhere, audited there.
        string copy = folder.File("download/mini");
        foreach (var file in Directory.EnumerateFiles(folder.File("artifacts/mini"), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(folder.File("artifacts/mini"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        var copied = Atlas("audit", "--spec", "mini.yaml", "--artifacts", copy);
        Assert.True(copied.ExitCode == 1, copied.ToString());
        Assert.Contains($"audit of {copy} (artifacts/mini): FAILED: 65 stages, 1 lock records", copied.Out);
    }
}

/// <summary><c>atlas trace</c> through the CLI: its refusals (the traced output itself: Atlas.Stages.Tests' CellTraceTests).</summary>
public sealed class TraceVerbTests : CliTestFolder
{
    [Fact]
    public void Trace_of_a_misspelt_table_suggests_the_right_one()
    {
        var result = Atlas("trace", "task_additon", "atlas_blockwise", "mnist", "--spec", "mini.yaml");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.StartsWith("error: unknown table 'task_additon' (did you mean 'task_addition'?); tables: finetune_accuracy, task_addition,", result.Error);
    }

    [Fact]
    public void Trace_before_the_report_ran_says_so()
    {
        var result = Atlas("trace", "task_addition", "atlas_blockwise", "mnist", "--spec", "mini.yaml");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.StartsWith("error: artifacts/mini/tables/task_addition.csv: no such table here; run the Report stage first", result.Error);
    }
}

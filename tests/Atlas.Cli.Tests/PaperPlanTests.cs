namespace Atlas.Cli.Tests;

/// <summary>
/// A reviewer's first command on the committed paper specs: planning on this CPU-only machine, without the data, the
/// checkpoints or the two variables, prints the whole graph, every task named.
/// </summary>
public sealed class PaperPlanTests
{
    private static readonly string[] ClassicTasks = ["cars", "dtd", "eurosat", "gtsrb", "mnist", "resisc45", "sun397", "svhn"];

    [Fact]
    public void Planning_the_paper_addition_spec_needs_no_gpu_data_or_checkpoints_and_names_every_stage()
    {
        var result = AtlasProcess.Run(RepositoryRoot.Path,
            new Dictionary<string, string?> { ["ATLAS_DATA"] = null, ["ATLAS_CHECKPOINTS"] = null },
            "plan", "--spec", "experiments/paper/vit-b-32-addition.yaml");

        Assert.True(result.ExitCode == 0, result.ToString());
        var stages = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith("warning", StringComparison.Ordinal))
            .Select(l => l.Split(' ', 2)[0])
            .ToList();
        // Written out by hand from the spec: per dataset its reading, per task head, imported fine-tune, task vector and
        // evaluation, the three methods the paper reports, the report.
        string[] expected =
        [
            .. ClassicTasks.Select(t => $"dataset/{t}"), "data", "import/pretrained",
            .. ClassicTasks.Select(t => $"heads/{t}"), .. ClassicTasks.Select(t => $"import_finetune/{t}"),
            .. ClassicTasks.Select(t => $"taskvector/{t}"), .. ClassicTasks.Select(t => $"evaluate/{t}"),
            "addition/task_arithmetic", "addition/atlas_isotropic", "addition/atlas_blockwise", "report",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), stages.Order(StringComparer.Ordinal));
        Assert.Equal(46, stages.Count);
    }

    [Fact]
    public void A_slurm_dry_run_of_the_paper_addition_spec_prints_every_job_script_and_submits_nothing()
    {
        var result = AtlasProcess.Run(RepositoryRoot.Path,
            new Dictionary<string, string?> { ["ATLAS_DATA"] = null, ["ATLAS_CHECKPOINTS"] = null, ["SLURM_CONF"] = "/nonexistent/slurm.conf" },
            "execute", "--spec", "experiments/paper/vit-b-32-addition.yaml", "--executor", "slurm", "--dry-run");

        Assert.True(result.ExitCode == 0, result.ToString());
        // Counted by hand from the graph above: the datasets, heads and imported fine-tunes each wait for the same stages
        // (an array of 8 each), the three addition methods too (an array of 3); data, import/pretrained, the report and
        // the per-task task vectors and evaluations (8 + 8) are single jobs: 4 arrays + 19 jobs.
        Assert.Contains("dry run: 46 of 46 stages would be submitted as 23 Slurm jobs (4 of them arrays); nothing is submitted", result.Out);
        Assert.Equal(23, result.Out.Split('\n').Count(l => l.StartsWith("---- ", StringComparison.Ordinal)));
        foreach (var array in new[] { "dataset[8]", "heads[8]", "import_finetune[8]", "addition[3]" })
            Assert.Contains($"#SBATCH --job-name=vit-b-32-addition:{array}\n", result.Out);
        // The spec's resources: its defaults, the dataset family's override, and a GPU for every job of a cuda spec.
        Assert.Equal(23, result.Out.Split('\n').Count(l => l == "#SBATCH --gres=gpu:1"));
        Assert.Contains("#SBATCH --mem=16G\n#SBATCH --gres=gpu:1\n#SBATCH --time=02:00:00\n", result.Out);
        Assert.Contains("  vit-b-32-addition:evaluate/cars ← vit-b-32-addition:data, vit-b-32-addition:heads[8], vit-b-32-addition:taskvector/cars\n", result.Out);
        Assert.False(Directory.Exists(Path.Combine(RepositoryRoot.Path, "artifacts", "vit-b-32-addition", "slurm")), "a dry run wrote job scripts");
    }

    [Fact]
    public void Dry_run_and_no_wait_need_the_slurm_executor()
    {
        var result = AtlasProcess.Run(RepositoryRoot.Path, new Dictionary<string, string?>(),
            "execute", "--spec", "experiments/paper/vit-b-32-addition.yaml", "--dry-run");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error: --dry-run applies to --executor slurm only", result.Error);
    }
}

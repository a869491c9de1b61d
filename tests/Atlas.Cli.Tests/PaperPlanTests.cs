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
}

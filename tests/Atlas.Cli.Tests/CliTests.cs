using System.Text.Json;

namespace Atlas.Cli.Tests;

/// <summary>
/// Every verb's exit code and message: the error paths (missing spec, a typo in a spec, an unknown stage, a missing
/// option, no or an unknown verb) and the success paths of the cheap verbs. Each test works in its own folder holding a
/// copy of experiments/mini.yaml whose data root points at the committed mini data; no stage runs.
/// </summary>
public sealed class CliTests : IDisposable
{
    private static readonly string[] Verbs = ["plan", "run", "validate", "verify", "approve", "clean", "import-mini-data", "bench"];

    private readonly TempDirectory folder = new();

    public CliTests()
    {
        var mini = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "experiments", "mini.yaml"));
        const string dataRoot = "root: src/Atlas.Data/Mini";
        Assert.Contains(dataRoot, mini);
        File.WriteAllText(folder.File("mini.yaml"), mini.Replace(dataRoot, $"root: \"{RepositoryRoot.MiniData.Replace('\\', '/')}\"", StringComparison.Ordinal));
    }

    public void Dispose() => folder.Dispose();

    private AtlasResult Atlas(params string[] args) => AtlasProcess.Run(folder.Path, args);

    [Fact]
    public void No_verb_fails_and_lists_the_verbs()
    {
        var result = Atlas();

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("Required command was not provided.", result.Error);
        foreach (var verb in Verbs) Assert.Contains($"  {verb} ", result.Out);
    }

    [Fact]
    public void Unknown_verb_fails_naming_it()
    {
        var result = Atlas("frobnicate", "--spec", "mini.yaml");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("Unrecognized command or argument 'frobnicate'.", result.Error);
    }

    [Fact]
    public void Help_succeeds_and_lists_every_verb_but_the_hidden_one()
    {
        var result = Atlas("--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Error);
        foreach (var verb in Verbs) Assert.Contains($"  {verb} ", result.Out);
        Assert.DoesNotContain("bench-step", result.Out);
    }

    [Fact]
    public void Validate_succeeds_on_the_mini_spec_and_counts_its_tasks_and_stages()
    {
        var result = Atlas("validate", "--spec", "mini.yaml");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"^mini\.yaml: valid \(8 tasks, \d+ stages\)\r?\n$", result.Out);
        Assert.Equal("", result.Error);
        Assert.False(Directory.Exists(folder.File("artifacts")), "validate wrote artifacts");
    }

    [Theory]
    [InlineData("plan")]
    [InlineData("run", "--stage", "data")]
    [InlineData("validate")]
    [InlineData("verify")]
    [InlineData("approve")]
    [InlineData("clean")]
    public void A_missing_spec_file_fails_with_one_line_naming_it(string verb, params string[] more)
    {
        var result = Atlas([verb, "--spec", "missing.yaml", .. more]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("error: missing.yaml: spec file not found", result.Error.TrimEnd());
        Assert.Equal("", result.Out);
    }

    [Fact]
    public void A_typo_in_the_spec_is_reported_at_its_line_and_column_with_exit_code_2()
    {
        var text = File.ReadAllLines(folder.File("mini.yaml"));
        int line = Array.FindIndex(text, l => l.StartsWith("backbone: mini", StringComparison.Ordinal));
        Assert.True(line >= 0);
        text[line] = "backbone: mni";
        File.WriteAllLines(folder.File("typo.yaml"), text);

        var result = Atlas("validate", "--spec", "typo.yaml");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"typo.yaml:{line + 1}:11: backbone: unknown backbone 'mni'", result.Error);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public void A_misspelt_key_is_reported_with_the_key_it_resembles()
    {
        var text = File.ReadAllLines(folder.File("mini.yaml"));
        int line = Array.FindIndex(text, l => l.StartsWith("seed: ", StringComparison.Ordinal));
        Assert.True(line >= 0);
        text[line] = text[line].Replace("seed:", "seeed:", StringComparison.Ordinal);
        File.WriteAllLines(folder.File("typo.yaml"), text);

        var result = Atlas("plan", "--spec", "typo.yaml");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"typo.yaml:{line + 1}:1: seeed: unknown key; did you mean 'seed'?", result.Error);
    }

    [Fact]
    public void Plan_json_lists_every_stage_with_its_status()
    {
        var result = Atlas("plan", "--spec", "mini.yaml", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var plan = JsonDocument.Parse(result.Out);
        var stages = plan.RootElement.EnumerateArray().ToList();
        var ids = stages.Select(s => s.GetProperty("id").GetString()).ToList();
        Assert.Equal("data", ids[0]);
        Assert.Equal("pretrain", ids[1]);
        Assert.Contains("finetune/mnist", ids);
        Assert.Contains("finetune/optdigits", ids);
        Assert.Equal("report", ids[^1]);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        // Nothing has run in this folder: every stage is stale because it never ran.
        Assert.All(stages, s => Assert.False(s.GetProperty("upToDate").GetBoolean()));
        Assert.Equal(["data"], stages[1].GetProperty("dependsOn").EnumerateArray().Select(d => d.GetString()));
    }

    [Fact]
    public void Plan_text_has_one_line_per_stage()
    {
        var json = Atlas("plan", "--spec", "mini.yaml", "--json");
        var text = Atlas("plan", "--spec", "mini.yaml");

        Assert.True(text.ExitCode == 0, text.ToString());
        using var plan = JsonDocument.Parse(json.Out);
        var ids = plan.RootElement.EnumerateArray().Select(s => s.GetProperty("id").GetString()!).ToList();
        var lines = text.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(ids, lines.Select(l => l.Split(' ')[0]));
        Assert.StartsWith("pretrain", lines[1]);
        Assert.EndsWith("← data", lines[1]);
    }

    [Fact]
    public void Run_refuses_an_unknown_stage_and_lists_the_known_ones()
    {
        var result = Atlas("run", "--spec", "mini.yaml", "--stage", "finetune/kmnist");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.StartsWith("error: unknown stage 'finetune/kmnist' in mini.yaml; stages: data, pretrain, ", result.Error);
        Assert.Contains("finetune/mnist", result.Error);
        Assert.False(Directory.Exists(folder.File("artifacts")), "a refused run wrote artifacts");
    }

    [Theory]
    [InlineData("Option '--stage' is required.", "run", "--spec", "mini.yaml")]
    [InlineData("Option '--spec' is required.", "run", "--stage", "data")]
    [InlineData("Option '--spec' is required.", "plan")]
    [InlineData("Option '--spec' is required.", "validate")]
    [InlineData("Option '--spec' is required.", "verify")]
    [InlineData("Option '--spec' is required.", "approve")]
    [InlineData("Option '--spec' is required.", "clean")]
    [InlineData("Option '--mnist-package' is required.", "import-mini-data")]
    public void A_missing_required_option_fails_naming_it(string message, params string[] args)
    {
        var result = Atlas(args);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains(message, result.Error);
    }

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

using System.Text.Json;

namespace Atlas.Cli.Tests;

/// <summary>plan (JSON and text) and run's refusal of an unknown stage; nothing runs.</summary>
public sealed class PlanAndRunTests : CliTestFolder
{
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
}

namespace Atlas.Cli.Tests;

/// <summary><c>atlas crate</c> through the CLI: its refusals (no artifacts folder, no resolved spec) and its output on
/// a one-stage experiment. (The crate's conformance to RO-Crate 1.1 and Workflow Run Crate 0.5: Atlas.Stages.Tests'
/// RoCrateExportTests.)</summary>
public sealed class CrateVerbTests : CliTestFolder
{
    [Fact]
    public void Crate_without_an_artifacts_folder_fails_naming_the_folder()
    {
        var result = Atlas("crate", "--spec", "mini.yaml");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("artifacts/mini: no artifacts folder to export", result.Error);
    }

    [Fact]
    public void Crate_of_a_run_without_its_resolved_spec_fails_naming_it_then_writes_the_crate_once_it_is_there()
    {
        var run = Atlas("run", "--spec", "mini.yaml", "--stage", "data");
        Assert.True(run.ExitCode == 0, run.ToString());

        var refused = Atlas("crate", "--spec", "mini.yaml");
        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains("artifacts/mini/spec.resolved.yaml: no resolved spec", refused.Error);
        Assert.False(File.Exists(folder.File("artifacts/mini/ro-crate-metadata.json")));

        // The report stage writes the resolved spec; any file there stands in for it here.
        File.WriteAllText(folder.File("artifacts/mini/spec.resolved.yaml"), "name: mini\n");
        var result = Atlas("crate", "--spec", "mini.yaml", "--license", "https://spdx.org/licenses/CC-BY-4.0");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists(folder.File("artifacts/mini/ro-crate-metadata.json")));
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"artifacts/mini/ro-crate-metadata\.json: \d+ entities$", lines[0]);
        // One stage ran: its own CreateAction and the workflow's; one step, one step run, one engine run.
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["CreateAction", "2"]);
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["HowToStep", "1"]);
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["ControlAction", "1"]);
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["OrganizeAction", "1"]);
        Assert.Contains("\"license\": {", File.ReadAllText(folder.File("artifacts/mini/ro-crate-metadata.json")));
    }
}

namespace Atlas.Cli.Tests;

/// <summary>validate, and the spec errors every spec verb shares: a missing file, a bad value and a misspelt key.</summary>
public sealed class SpecTests : CliTestFolder
{
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
}

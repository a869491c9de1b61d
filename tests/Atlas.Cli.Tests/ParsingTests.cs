namespace Atlas.Cli.Tests;

/// <summary>No verb, an unknown verb, --help and missing required options: System.CommandLine's messages and exit codes.</summary>
public sealed class ParsingTests : CliTestFolder
{
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
}

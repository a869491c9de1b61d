using Atlas.Pipeline.Specs;

namespace Atlas.Pipeline.Tests.Specs;

/// <summary>
/// <c>${NAME}</c> in scalar values: replaced by the variable, an error at the value when it is unset or empty, left
/// literal (with one warning, files unread) when only the graph is wanted, and every other error still located in the
/// text as written. The variables come from a dictionary, never the test process's environment.
/// </summary>
public sealed class SpecVariableTests
{
    private static readonly string Yaml = PaperDatasetSpecTests.PaperYaml
        .Replace("pretrained_checkpoint: clip.safetensors", "pretrained_checkpoint: ${ATLAS_CHECKPOINTS}/clip.safetensors", StringComparison.Ordinal)
        .Replace("  root: data", "  root: ${ATLAS_DATA}/paper", StringComparison.Ordinal);

    private static readonly Dictionary<string, string> Both = new() { ["ATLAS_DATA"] = "/mnt/data", ["ATLAS_CHECKPOINTS"] = "/mnt/ckpt" };

    private static SpecContext With(IReadOnlyDictionary<string, string> variables, SpecCheckLevel level = SpecCheckLevel.Complete) =>
        PaperDatasetSpecTests.Context with { Variables = name => variables.GetValueOrDefault(name), Level = level };

    private static string Edit(string original, string replacement)
    {
        Assert.Equal(1, Yaml.Split(original).Length - 1);
        return Yaml.Replace(original, replacement, StringComparison.Ordinal);
    }

    [Fact]
    public void Variables_are_replaced_in_values()
    {
        var spec = SpecLoader.Parse(Yaml, "paper.yaml", With(Both));

        Assert.Equal("/mnt/data/paper", spec.Data.Root);
        Assert.Equal("/mnt/ckpt/clip.safetensors", spec.PretrainedCheckpoint);
    }

    [Fact]
    public void An_unset_variable_is_an_error_at_its_value_naming_it()
    {
        SpecFixture.AssertErrors(
            With(new Dictionary<string, string> { ["ATLAS_CHECKPOINTS"] = "/mnt/ckpt" }), Yaml,
            "6:9: data.root: environment variable ATLAS_DATA is not set; '${ATLAS_DATA}/paper' needs it (export ATLAS_DATA=...)");
    }

    [Fact]
    public void Empty_variables_are_errors_like_unset_ones()
    {
        SpecFixture.AssertErrors(
            With(new Dictionary<string, string> { ["ATLAS_DATA"] = "", ["ATLAS_CHECKPOINTS"] = "" }), Yaml,
            "4:24: pretrained_checkpoint: environment variable ATLAS_CHECKPOINTS is empty; '${ATLAS_CHECKPOINTS}/clip.safetensors' needs it (export ATLAS_CHECKPOINTS=...)",
            "6:9: data.root: environment variable ATLAS_DATA is empty; '${ATLAS_DATA}/paper' needs it (export ATLAS_DATA=...)");
    }

    [Theory]
    [InlineData("${ATLAS DATA}/paper", "${ATLAS DATA}")]
    [InlineData("${ATLAS_DATA/paper", "${ATLAS_DATA/paper")]
    [InlineData("${1DATA}/paper", "${1DATA}")]
    public void A_malformed_reference_is_an_error_at_its_value(string value, string reference)
    {
        SpecFixture.AssertErrors(
            With(Both), Edit("${ATLAS_DATA}/paper", value),
            $"6:9: data.root: malformed variable reference '{reference}' in '{value}': write ${{NAME}}, NAME made of letters, digits and underscores, not starting with a digit");
    }

    [Fact]
    public void A_number_may_come_from_a_variable_and_is_then_checked_at_the_value_as_written()
    {
        string yaml = Edit("  batch: 16", "  batch: ${BATCH}");

        var spec = SpecLoader.Parse(yaml, "paper.yaml", With(new Dictionary<string, string>(Both) { ["BATCH"] = "32" }));
        Assert.Equal(32, spec.Finetune.Batch);
        SpecFixture.AssertErrors(With(new Dictionary<string, string>(Both) { ["BATCH"] = "sixteen" }), yaml,
            "15:10: finetune.batch: expected an integer, got 'sixteen'");
        // Unset: the variable is the one problem, not also a value of the wrong type.
        SpecFixture.AssertErrors(With(Both), yaml,
            "15:10: finetune.batch: environment variable BATCH is not set; '${BATCH}' needs it (export BATCH=...)");
    }

    [Fact]
    public void Errors_after_a_replaced_value_on_the_same_line_keep_their_written_column()
    {
        // "${FIRST}" is 8 characters and its value 4: the unknown name stays at column 31 of the text as written. (In a
        // flow list the reference is quoted: YAML reads an unquoted '{' there as the start of a mapping.)
        SpecFixture.AssertErrors(
            With(new Dictionary<string, string>(Both) { ["FIRST"] = "cars" }), Edit("[cars, dtd]", "[\"${FIRST}\", dtd, carz]"),
            "7:31: data.datasets[2]: unknown paper dataset 'carz' (known: cars, dtd, mnist); did you mean 'cars'?");
    }

    [Fact]
    public void Keys_and_a_dollar_without_braces_are_left_as_written()
    {
        var variables = new Dictionary<string, string>(Both) { ["HOME"] = "/root", ["KEY"] = "name" };

        var spec = SpecLoader.Parse(Edit("${ATLAS_DATA}/paper", "$HOME/paper"), "paper.yaml", With(variables));
        Assert.Equal("$HOME/paper", spec.Data.Root);
        var error = Assert.Throws<SpecException>(() => SpecLoader.Parse(Yaml + "${KEY}: x\n", "paper.yaml", With(variables)));
        Assert.StartsWith("paper.yaml:17:1: ${KEY}: unknown key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Planning_leaves_unset_variables_literal_with_one_warning_line()
    {
        var warnings = new List<string>();
        var context = With(new Dictionary<string, string>(), SpecCheckLevel.GraphOnly) with { Warn = warnings.Add };

        var spec = SpecLoader.Parse(Yaml, "paper.yaml", context);

        Assert.Equal("${ATLAS_DATA}/paper", spec.Data.Root);
        Assert.Equal("${ATLAS_CHECKPOINTS}/clip.safetensors", spec.PretrainedCheckpoint);
        Assert.Equal(
            ["warning: paper.yaml: environment variables ATLAS_CHECKPOINTS, ATLAS_DATA not set; left literal, and the files the spec names are not checked (only planning works so)"],
            warnings);
    }

    [Fact]
    public void Planning_with_the_variables_set_replaces_them_and_warns_nothing()
    {
        var warnings = new List<string>();

        var spec = SpecLoader.Parse(Yaml, "paper.yaml", With(Both, SpecCheckLevel.GraphOnly) with { Warn = warnings.Add });

        Assert.Equal("/mnt/data/paper", spec.Data.Root);
        Assert.Empty(warnings);
    }

    [Fact]
    public void Planning_still_refuses_a_malformed_reference()
    {
        SpecFixture.AssertErrors(
            With(new Dictionary<string, string>(), SpecCheckLevel.GraphOnly), Edit("${ATLAS_DATA}/paper", "${ATLAS_DATA/paper"),
            "6:9: data.root: malformed variable reference '${ATLAS_DATA/paper' in '${ATLAS_DATA/paper': write ${NAME}, NAME made of letters, digits and underscores, not starting with a digit");
    }

    [Fact]
    public void Planning_does_not_read_the_files_a_spec_names_and_a_run_does()
    {
        var files = new NoFiles();

        var planned = SpecLoader.Parse(Yaml, "paper.yaml", With(Both, SpecCheckLevel.GraphOnly) with { Files = files });
        Assert.Equal("/mnt/ckpt/clip.safetensors", planned.PretrainedCheckpoint);
        Assert.Equal(0, files.Calls);
        SpecFixture.AssertErrors(With(Both) with { Files = files }, Yaml,
            "4:24: pretrained_checkpoint: '/mnt/ckpt/clip.safetensors' does not exist");
        Assert.Equal(1, files.Calls);
    }

    /// <summary>A machine without any of the files: every checkpoint is missing.</summary>
    private sealed class NoFiles : ISpecFileCheck
    {
        public int Calls { get; private set; }

        public string? ModelConfigProblem(string path) => $"'{path}' does not exist";

        public string? CheckpointProblem(string path, ImportedFileKind kind, string backbone)
        {
            Calls++;
            return $"'{path}' does not exist";
        }

        public string? TokenizerProblem(string? vocabulary, string backbone) => null;
    }
}

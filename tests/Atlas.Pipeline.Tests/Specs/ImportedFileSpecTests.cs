using Atlas.Pipeline.Specs;
using static Atlas.Pipeline.Tests.Specs.SpecFixture;

namespace Atlas.Pipeline.Tests.Specs;

/// <summary>
/// The spec rules of files named in place of a built-in backbone or of computed weights: which values are paths, that
/// the caller's file check sees each with its kind and reports at the field, and the rules between the fields. (The
/// real file check, reading configurations and checkpoints, is tested in Atlas.Stages.Tests.)
/// </summary>
public sealed class ImportedFileSpecTests
{
    private const string PretrainSection = "pretrain:\n  sources: [mnist, fashion_mnist]\n  templates: captions\n  steps: 20\n  batch: 8\n  lr: 0.001\n  warmup_steps: 2\n";

    /// <summary>Records what it is asked and answers with a fixed problem for the paths it is told are bad.</summary>
    private sealed class FakeFileCheck(params string[] badPaths) : ISpecFileCheck
    {
        public List<string> Asked { get; } = [];

        public string? ModelConfigProblem(string path)
        {
            Asked.Add($"config {path}");
            return badPaths.Contains(path) ? $"{path}: field 'vision_cfg': missing" : null;
        }

        public string? CheckpointProblem(string path, ImportedFileKind kind, string backbone)
        {
            Asked.Add($"{kind} {path} under {backbone}");
            return badPaths.Contains(path) ? $"{path}: mis-shaped: 'visual.proj'" : null;
        }

        public string? TokenizerProblem(string? vocabulary, string backbone) => null;
    }

    private static List<string> Errors(string yaml, ISpecFileCheck? files = null)
    {
        var error = Assert.Throws<SpecException>(() => SpecLoader.Parse(yaml, "spec.yaml", Context with { Files = files }));
        return error.Errors.Select(e => e.ToString()).ToList();
    }

    [Theory]
    [InlineData("mini", false)]
    [InlineData("ViT-B-32", false)]
    [InlineData("configs/b32.json", true)]
    [InlineData("config.json", true)]
    [InlineData("CONFIG.JSON", true)]
    [InlineData("models/openai", true)]
    [InlineData(@"models\b32", true)]
    [InlineData("ViT-B32", false)]
    public void A_backbone_is_a_file_when_it_ends_in_json_or_holds_a_separator(string backbone, bool isFile) =>
        Assert.Equal(isFile, BackboneReference.IsFile(backbone));

    [Fact]
    public void A_misspelt_preset_is_reported_with_the_preset_it_resembles()
    {
        Assert.Equal(["spec.yaml:4:11: backbone: unknown backbone 'ViT-B32' (known: mini, ViT-B-32, ViT-B-16, ViT-L-14); did you mean 'ViT-B-32'?"],
            Errors(With("backbone: mini", "backbone: ViT-B32")));
    }

    [Fact]
    public void A_backbone_file_is_read_by_the_callers_check_and_its_problem_reported_at_the_backbone()
    {
        var files = new FakeFileCheck("configs/bad.json");
        Assert.Equal(["spec.yaml:4:11: backbone: configs/bad.json: field 'vision_cfg': missing"],
            Errors(With("backbone: mini", "backbone: configs/bad.json"), files));
        Assert.Equal(["config configs/bad.json"], files.Asked);

        var good = new FakeFileCheck();
        var spec = SpecLoader.Parse(With("backbone: mini", "backbone: configs/b32.json"), "spec.yaml", Context with { Files = good });
        Assert.Equal("configs/b32.json", spec.Backbone);
        Assert.Equal(["config configs/b32.json"], good.Asked);
    }

    [Fact]
    public void Each_imported_file_is_checked_with_its_kind_and_reported_at_its_field()
    {
        var yaml = ValidYaml.Replace(PretrainSection, "pretrained_checkpoint: w/clip.safetensors\n", StringComparison.Ordinal)
            .Replace("    templates: digit\n", "    templates: digit\n    task_vector_file: w/tv.safetensors\n", StringComparison.Ordinal)
            .Replace("    templates: captions\n", "    templates: captions\n    finetuned_checkpoint: w/ft.safetensors\n", StringComparison.Ordinal);
        Assert.NotEqual(ValidYaml.Length, yaml.Length);
        var files = new FakeFileCheck("w/tv.safetensors", "w/clip.safetensors");

        var errors = Errors(yaml, files);

        Assert.Equal(["Pretrained w/clip.safetensors under mini", "TaskVector w/tv.safetensors under mini", "FineTuned w/ft.safetensors under mini"], files.Asked);
        Assert.Equal(
        [
            "spec.yaml:12:24: pretrained_checkpoint: w/clip.safetensors: mis-shaped: 'visual.proj'",
            "spec.yaml:23:23: tasks[0].task_vector_file: w/tv.safetensors: mis-shaped: 'visual.proj'",
        ], errors);
    }

    [Fact]
    public void Checkpoints_are_not_checked_against_an_invalid_backbone()
    {
        var yaml = ValidYaml.Replace(PretrainSection, "pretrained_checkpoint: w/clip.safetensors\n", StringComparison.Ordinal)
            .Replace("backbone: mini", "backbone: resnet", StringComparison.Ordinal);
        var files = new FakeFileCheck();

        Assert.Equal(["spec.yaml:4:11: backbone: unknown backbone 'resnet' (known: mini, ViT-B-32, ViT-B-16, ViT-L-14)"], Errors(yaml, files));
        Assert.Empty(files.Asked);
    }

    [Fact]
    public void Pretrained_weights_come_from_exactly_one_place()
    {
        Assert.Equal(["spec.yaml:12:24: pretrained_checkpoint: the pretrain section makes the pretrained weights too; keep one of the two"],
            Errors(ValidYaml.Replace(PretrainSection, PretrainSection.Replace("pretrain:\n", "pretrained_checkpoint: w/clip.safetensors\npretrain:\n"), StringComparison.Ordinal)));
        Assert.Equal(["spec.yaml:2:1: (root): no pretrained weights: add a pretrain section or name a file in pretrained_checkpoint"],
            Errors(ValidYaml.Replace(PretrainSection, "", StringComparison.Ordinal)));
    }

    [Fact]
    public void Without_a_file_check_named_files_are_accepted_unread()
    {
        var yaml = ValidYaml.Replace(PretrainSection, "pretrained_checkpoint: w/clip.safetensors\n", StringComparison.Ordinal)
            .Replace("backbone: mini", "backbone: configs/b32.json", StringComparison.Ordinal);

        var spec = SpecLoader.Parse(yaml, "spec.yaml", Context);

        Assert.Equal(("configs/b32.json", "w/clip.safetensors"), (spec.Backbone, spec.PretrainedCheckpoint));
        Assert.Null(spec.Pretrain);
    }

    [Fact]
    public void The_resolved_spec_keeps_the_imported_files()
    {
        var yaml = ValidYaml.Replace(PretrainSection, "pretrained_checkpoint: w/clip.safetensors\n", StringComparison.Ordinal)
            .Replace("    templates: digit\n", "    templates: digit\n    task_vector_file: w/tv.safetensors\n", StringComparison.Ordinal);

        var resolved = SpecWriter.ToResolvedYaml(SpecLoader.Parse(yaml, "spec.yaml", Context));

        Assert.Contains("\npretrained_checkpoint: w/clip.safetensors\n", resolved);
        Assert.Contains("task_vector_file: w/tv.safetensors\n", resolved);
        var reread = SpecLoader.Parse(resolved, "resolved.yaml", Context);
        Assert.Equal("w/tv.safetensors", reread.Tasks[0].TaskVectorFile);
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Atlas.Pipeline.Specs;
using static Atlas.Pipeline.Tests.Specs.SpecFixture;

namespace Atlas.Pipeline.Tests.Specs;

/// <summary>Typed choices (enums): one spelling in YAML, JSON and the schema, and a located error with a suggestion.</summary>
public sealed class SpecChoiceTests
{
    [Fact]
    public void Typoed_choice_is_rejected_with_the_names_and_the_nearest_one()
    {
        AssertErrors(With("  batch: 16\n", "  batch: 16\n  schedule: cosin\n"),
            "42:13: finetune.schedule: must be one of cosine, constant; got 'cosin'; did you mean 'cosine'?");
    }

    [Fact]
    public void Choice_is_case_sensitive_and_not_a_number()
    {
        // YamlDotNet alone would accept the C# member name in any casing, and the member's number.
        AssertErrors(With("      steps: 30", "      steps: 30\n      schedule: Cosine"),
            "38:17: tasks[1].finetune.schedule: must be one of cosine, constant; got 'Cosine'; did you mean 'cosine'?");
        AssertErrors(With("      steps: 30", "      steps: 30\n      schedule: 1"),
            "38:17: tasks[1].finetune.schedule: must be one of cosine, constant; got '1'");
    }

    [Fact]
    public void Choice_reads_as_its_enum_value()
    {
        var spec = SpecLoader.Parse(With("      steps: 30", "      steps: 30\n      schedule: constant"), "choice.yaml", Context);

        Assert.Equal(ScheduleKind.Cosine, spec.Finetune.Schedule);
        Assert.Equal(ScheduleKind.Constant, spec.Tasks[1].Finetune!.Schedule);
    }

    [Fact]
    public void Spec_names_are_the_snake_case_member_names_unless_fixed_by_an_earlier_artifact()
    {
        // Written out by hand: these names are stage ids (addition/NAME), table labels and lock parameters already on disk.
        Assert.Equal(["task_arithmetic", "ties", "adamerging", "atlas_isotropic", "atlas_blockwise"], SpecNames.All(typeof(CompositionMethod)));
        Assert.Equal(["zeros", "zero_shot"], SpecNames.All(typeof(LinearProbeInit)));
        Assert.Equal(["per_tensor", "per_shape"], SpecNames.All(typeof(PartitionScopeOption)));
        Assert.Equal("adamerging", SpecNames.Of(CompositionMethod.AdaMerging));
        Assert.Equal(CompositionMethod.AtlasBlockwise, SpecNames.Parse(typeof(CompositionMethod), "atlas_blockwise"));
        Assert.Null(SpecNames.Parse(typeof(CompositionMethod), "AtlasBlockwise"));
    }

    [Fact]
    public void Json_writes_the_spec_name_so_lock_parameters_keep_their_hash()
    {
        // The lock parameters before choices were typed held the same strings: {"schedule":"constant", ...}.
        var learn = new CoefficientTraining { Lr = 0.1, Epochs = 2, Batch = 8 };
        var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        var json = JsonSerializer.SerializeToNode(learn, options)!;

        Assert.Equal("constant", (string?)json["schedule"]);
        Assert.Equal(ScheduleKind.Constant, JsonSerializer.Deserialize<CoefficientTraining>(json, options)!.Schedule);
        var keyed = JsonSerializer.Serialize(new Dictionary<TestTimeObjective, double> { [TestTimeObjective.Ufm] = 1.5 });
        Assert.Equal("{\"ufm\":1.5}", keyed);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<ScheduleKind>("\"Cosine\""));
    }

    [Fact]
    public void Resolved_yaml_writes_choices_by_name()
    {
        var spec = SpecLoader.Parse(ValidYaml, "valid.yaml", Context);
        var yaml = SpecWriter.ToResolvedYaml(spec);

        Assert.Contains("schedule: cosine", yaml);
        var reread = SpecLoader.Parse(yaml, "resolved.yaml", Context);
        Assert.Equal(ScheduleKind.Cosine, reread.Finetune.Schedule);

    }

    [Fact]
    public void Schema_lists_every_enum_value()
    {
        var schema = JsonNode.Parse(SpecSchema.Generate())!;
        var definitions = schema["$defs"]!;
        // A JSON null (a nullable choice) reads as "null".
        string[] Enum(string type, string property) =>
            [.. definitions[type]!["properties"]![property]!["enum"]!.AsArray().Select(n => (string?)n ?? "null")];
        string[] ItemEnum(string type, string property) =>
            [.. definitions[type]!["properties"]![property]!["items"]!["enum"]!.AsArray().Select(n => (string?)n ?? "null")];

        Assert.Equal(["task_arithmetic", "ties", "adamerging", "atlas_isotropic", "atlas_blockwise"], ItemEnum("AdditionSpec", "methods"));
        Assert.Equal(["entropy", "sar", "ufm"], ItemEnum("TestTimeSpec", "objectives"));
        Assert.Equal(["blockwise", "whole"], ItemEnum("BlockSelectionSpec", "strategies"));
        Assert.Equal(["atlas", "lora", "full"], ItemEnum("PeftSpec", "methods"));
        Assert.Equal(["validation", "last"], Enum("FewShotSpec", "selection"));
        Assert.Equal(["zeros", "zero_shot"], Enum("AdapterTraining", "linear_probe_init"));
        Assert.Equal(["release", "gradient"], Enum("GradientFreeSearch", "augmentation"));
        Assert.Equal(["per_tensor", "per_shape"], Enum("AtlasPeftSpec", "partition_scope"));
        Assert.Equal(["all", "matrices"], Enum("AtlasPeftSpec", "partition_blocks"));
        Assert.Equal(["lora", "full"], Enum("AtlasPeftSpec", "pool"));
        Assert.Equal("lora", (string?)definitions["AtlasPeftSpec"]!["properties"]!["pool"]!["default"]);
        Assert.Equal(["cosine", "constant", "null"], Enum("TrainOverrides", "schedule"));
        Assert.Equal("constant", (string?)definitions["CoefficientTraining"]!["properties"]!["schedule"]!["default"]);
    }

    [Fact]
    public void Gradient_free_defaults_are_the_releases_protocol()
    {
        // learn_coef_gfree.py (ssl branch): nevergrad budget 50, bounds ±1.5, its loader's train preprocessing (open_clip's
        // RandomResizedCrop scale 0.9–1, no flip); σ₀ = 0.1 is this repository's (NGOpt chooses its own).
        var search = new FewShotSpec { Targets = ["t"], Learn = new CoefficientTraining { Lr = 0.1, Epochs = 10, Batch = 128 } }.GradientFree;
        Assert.Equal(50, search.Budget);
        Assert.Equal(1.5, search.Bound);
        Assert.Equal(0.1, search.InitialStep);
        Assert.Equal(GradientFreeAugmentation.Release, search.Augmentation);
        Assert.Equal([0.9, 1.0], search.CropScale);
        Assert.Equal("release", SpecNames.Of(GradientFreeAugmentation.Release));
        Assert.Equal(GradientFreeAugmentation.Gradient, SpecNames.Parse(typeof(GradientFreeAugmentation), "gradient"));
    }
}

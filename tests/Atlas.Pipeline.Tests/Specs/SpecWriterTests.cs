using System.Text.Json;
using Atlas.Pipeline.Specs;
using static Atlas.Pipeline.Tests.Specs.SpecFixture;

namespace Atlas.Pipeline.Tests.Specs;

public sealed class SpecWriterTests
{
    [Fact]
    public void Task_recipe_is_defaults_merged_with_overrides()
    {
        var resolved = SpecResolver.Resolve(SpecLoader.Parse(ValidYaml, "valid.yaml", Context));

        var plain = resolved.Task("mnist");
        var parity = resolved.Task("mnist_parity");
        Assert.Equal((0.001, 20, 16, ScheduleKind.Cosine), (plain.Finetune.Lr, plain.Finetune.Steps, plain.Finetune.Batch, plain.Finetune.Schedule));
        Assert.Equal((0.002, 30, 16, ScheduleKind.Cosine), (parity.Finetune.Lr, parity.Finetune.Steps, parity.Finetune.Batch, parity.Finetune.Schedule));
        Assert.Equal(Enumerable.Range(0, 10), plain.LabelMap);
        Assert.Equal(["a photo of the {c}.", "{c}."], parity.Templates);
    }

    [Fact]
    public void Resolved_yaml_round_trips_through_the_loader()
    {
        using var folder = new TempDirectory();
        var spec = SpecLoader.Parse(ValidYaml, "valid.yaml", Context);
        var path = folder.File("resolved.yaml");

        SpecWriter.WriteResolvedYaml(spec, path);
        var reloaded = SpecLoader.Load(path, Context);

        Assert.Equal(File.ReadAllText(path), SpecWriter.ToResolvedYaml(reloaded));
        Assert.Equal(Json(SpecResolver.Resolve(spec).Tasks), Json(SpecResolver.Resolve(reloaded).Tasks));
        Assert.Contains("weight_decay: 0.1", File.ReadAllText(path));
        Assert.Contains("transform: none", File.ReadAllText(path));
    }

    [Fact]
    public void Repository_mini_spec_round_trips()
    {
        var spec = SpecLoader.Load(Path.Combine(RepositoryRoot.Path, "experiments", "mini.yaml"), Context);

        var yaml = SpecWriter.ToResolvedYaml(spec);

        Assert.Equal(yaml, SpecWriter.ToResolvedYaml(SpecLoader.Parse(yaml, "resolved.yaml", Context)));
    }

    private static string Json(object value) => JsonSerializer.Serialize(value);
}

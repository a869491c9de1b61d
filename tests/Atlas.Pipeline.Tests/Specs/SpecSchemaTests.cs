using System.Text.Json.Nodes;
using Atlas.Pipeline.Specs;

namespace Atlas.Pipeline.Tests.Specs;

public sealed class SpecSchemaTests
{
    private const string UpdateVariable = "ATLAS_UPDATE_SCHEMA";

    [Fact]
    public void Committed_schema_is_current()
    {
        var path = Path.Combine(RepositoryRoot.Path, SpecSchema.RepositoryPath);
        var generated = SpecSchema.Generate();
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, generated);
        }

        var committed = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : "";

        Assert.True(
            committed == generated,
            $"{SpecSchema.RepositoryPath} does not match the spec records. Regenerate it with: " +
            $"{UpdateVariable}=1 dotnet test tests/Atlas.Pipeline.Tests -c Release --filter {nameof(Committed_schema_is_current)}");
    }

    [Fact]
    public void Schema_carries_shapes_rules_defaults_and_docs()
    {
        var schema = JsonNode.Parse(SpecSchema.Generate())!;
        var train = schema["$defs"]!["TrainSpec"]!;

        Assert.Equal("https://json-schema.org/draft/2020-12/schema", (string?)schema["$schema"]);
        Assert.Contains("name", schema["required"]!.AsArray().Select(n => (string?)n));
        Assert.False((bool)schema["additionalProperties"]!);
        Assert.Equal(0, (double)train["properties"]!["lr"]!["exclusiveMinimum"]!);
        Assert.Equal(0.1, (double)train["properties"]!["weight_decay"]!["default"]!);
        Assert.Equal(["cosine", "constant"], train["properties"]!["schedule"]!["enum"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(2, (int)train["properties"]!["crop_scale"]!["maxItems"]!);
        Assert.Equal(1, (double)train["properties"]!["crop_scale"]!["items"]!["maximum"]!);
        Assert.Equal("Peak AdamW learning rate.", (string?)schema["$defs"]!["TrainOverrides"]!["properties"]!["lr"]!["description"]);
        Assert.StartsWith("Name of the template set in templates. Required on a mini source;", (string?)schema["$defs"]!["TaskSpec"]!["properties"]!["templates"]!["description"]);
    }
}

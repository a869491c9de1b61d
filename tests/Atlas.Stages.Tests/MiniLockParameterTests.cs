using System.Text.Json;
using System.Text.Json.Nodes;
using Atlas.Pipeline.Specs;
using Atlas.Store;

namespace Atlas.Stages.Tests;

/// <summary>
/// The mini experiment's lock parameters are what the code before spec imports hashed: the hashes of a finished mini
/// run (Fixtures/MiniLockParameters, extracted from its lock records) are recomputed for every stage, so the new spec
/// fields (backbone files, imports, device, gradient accumulation) leave every mini artifact up to date.
/// </summary>
public sealed class MiniLockParameterTests
{
    [Fact]
    public void Every_mini_stage_hashes_its_parameters_as_before_spec_imports()
    {
        var fixture = Path.Combine(RepositoryRoot.Path, "tests", "Atlas.Stages.Tests", "Fixtures", "MiniLockParameters", "params_hashes.json");
        var expected = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(fixture))!;
        using var session = ExperimentSession.Open(Path.Combine(RepositoryRoot.Path, "experiments", "mini.yaml"), new StringWriter(), RepositoryRoot.Path);

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), session.Stages.Select(s => s.Id).Order(StringComparer.Ordinal));
        var differing = session.Stages
            .Where(s => ContentHash.OfJson(session.LockParameters(s.Id)) != expected[s.Id])
            .Select(s => s.Id)
            .ToList();
        Assert.True(differing.Count == 0, $"parameters hash differently: {string.Join(", ", differing)}");
        Assert.Equal(66, expected.Count);
    }

    [Fact]
    public void Device_and_gradient_accumulation_enter_the_lock_parameters_only_off_their_defaults()
    {
        var mini = SpecLoader.Load(MiniSpecPath, ExperimentSession.Known);
        string fineTune = StageIds.FineTune(mini.Tasks[0].Name);

        var atDefaults = FineTuneParameters(mini, fineTune);
        Assert.Null(atDefaults["device"]);
        Assert.False(atDefaults["stage"]!["recipe"]!.AsObject().ContainsKey("gradient_accumulation"));

        // A GPU run and an accumulated one are not bit-identical to the CPU's full-batch run: both must rerun the stage.
        var changed = FineTuneParameters(mini with { Device = ComputeDevice.Cuda, Finetune = mini.Finetune with { GradientAccumulation = 2 } }, fineTune);
        Assert.Equal("cuda", changed["device"]!.GetValue<string>());
        Assert.Equal(2, changed["stage"]!["recipe"]!["gradient_accumulation"]!.GetValue<int>());
        Assert.NotEqual(ContentHash.OfJson(atDefaults), ContentHash.OfJson(changed));
    }

    private static readonly string MiniSpecPath = Path.Combine(RepositoryRoot.Path, "experiments", "mini.yaml");

    private static JsonNode FineTuneParameters(ExperimentSpec spec, string stageId)
    {
        // The context is built directly: this build has no CUDA, so the loader would refuse device: cuda.
        using var context = new ExperimentContext(RepositoryRoot.Path, MiniSpecPath, spec, TextWriter.Null);
        var stage = ExperimentGraph.Build(context).Single(s => s.Id == stageId);
        return ExperimentSession.LockParameters(context, stage);
    }
}

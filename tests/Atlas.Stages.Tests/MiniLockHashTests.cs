using System.Text.Json;
using System.Text.Json.Nodes;
using Atlas.Pipeline.Specs;
using Atlas.Store;

namespace Atlas.Stages.Tests;

/// <summary>
/// The mini profile's lock parameters are what decide whether a user's existing artifacts are still up to date. New
/// spec fields at their defaults (device, gradient accumulation, …) must leave every stage's parameter hash as it was,
/// or every user of the mini would rerun the whole graph for nothing.
/// </summary>
public sealed class MiniLockHashTests
{
    private static readonly string FixturePath =
        Path.Combine(RepositoryRoot.Path, "tests", "Atlas.Stages.Tests", "Fixtures", "MiniLocks", "params-hashes.json");

    [Fact]
    public void Mini_stages_keep_the_parameter_hashes_recorded_before_the_gpu_options()
    {
        var actual = MiniParamsHashes();
        if (Environment.GetEnvironmentVariable("ATLAS_UPDATE_MINI_LOCKS") == "1")
            File.WriteAllText(FixturePath, JsonSerializer.Serialize(actual, new JsonSerializerOptions { WriteIndented = true }) + "\n");

        var expected = JsonSerializer.Deserialize<SortedDictionary<string, string>>(File.ReadAllText(FixturePath))!;
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (stage, hash) in expected)
            Assert.True(actual.TryGetValue(stage, out var now) && now == hash, $"{stage}: params hash {now} != recorded {hash}");
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

    private static SortedDictionary<string, string> MiniParamsHashes()
    {
        using var session = ExperimentSession.Open(Path.Combine(RepositoryRoot.Path, "experiments", "mini.yaml"), TextWriter.Null, RepositoryRoot.Path);
        return new SortedDictionary<string, string>(
            session.Stages.ToDictionary(s => s.Id, s => ContentHash.OfJson(session.LockParameters(s))), StringComparer.Ordinal);
    }
}

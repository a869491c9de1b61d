using System.Text.Json;
using System.Text.Json.Nodes;
using Atlas.Pipeline.Specs;
using Atlas.Store;

namespace Atlas.Stages.Tests;

/// <summary>
/// The mini experiment's lock parameters are what a finished mini run recorded: its hashes (Fixtures/MiniLockParameters,
/// extracted from its lock records) are recomputed for every stage, so spec fields added since (backbone files, imports,
/// device, gradient accumulation) leave every mini artifact up to date.
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
        Assert.Equal(65, expected.Count);
    }

    [Fact]
    public void Every_stage_records_the_built_in_backbones_resolved_configuration()
    {
        // The built-in mini is an embedded file the code fingerprint does not see: only its resolved configuration in
        // every lock makes a change of its size rerun the graph (a 4-layer run's locks read "up to date" without it).
        using var session = ExperimentSession.Open(Path.Combine(RepositoryRoot.Path, "experiments", "mini.yaml"), new StringWriter(), RepositoryRoot.Path);
        Assert.All(session.Stages, stage =>
        {
            var vision = session.LockParameters(stage.Id)[ExperimentSession.BackboneConfigParameter]!["vision"]!;
            Assert.Equal((3, 64), (vision["layers"]!.GetValue<int>(), vision["width"]!.GetValue<int>()));
        });
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

    [Fact]
    public void Coefficient_gradient_accumulation_enters_the_lock_parameters_of_every_learner_only_off_its_default()
    {
        var mini = SpecLoader.Load(MiniSpecPath, ExperimentSession.Known);
        var accumulated = mini with
        {
            Addition = mini.Addition! with { Learn = mini.Addition.Learn with { GradientAccumulation = 2 } },
            Negation = mini.Negation! with { Learn = mini.Negation.Learn with { GradientAccumulation = 2 } },
            FewShot = mini.FewShot! with { Learn = mini.FewShot.Learn with { GradientAccumulation = 2 } },
            TestTime = mini.TestTime! with { Learn = mini.TestTime.Learn with { GradientAccumulation = 2 } },
            BlockSelection = mini.BlockSelection! with { Learn = mini.BlockSelection.Learn with { GradientAccumulation = 2 } },
        };
        var atDefaults = AllParameters(mini);
        var changed = AllParameters(accumulated);

        // Written out by hand: the stages that learn Λ with a coefficient-learning recipe (the mini's 8 targets each).
        var learners = changed.Where(p => Occurrences(p.Value).Count > 0).Select(p => p.Key.Split('/')[0] + "/" + (p.Key.StartsWith("addition/") ? p.Key.Split('/')[1] : "*"))
            .Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(["addition/atlas_blockwise", "addition/atlas_isotropic", "fewshot/*", "negation/*", "selection/*", "tta/*"], learners);
        Assert.All(changed.Values, p => Assert.All(Occurrences(p), value => Assert.Equal(2, value)));
        Assert.All(atDefaults, p => Assert.True(Occurrences(p.Value).Count == 0, $"{p.Key} records gradient_accumulation at its default"));
        Assert.All(changed.Where(p => Occurrences(p.Value).Count > 0),
            p => Assert.NotEqual(ContentHash.OfJson(atDefaults[p.Key]), ContentHash.OfJson(p.Value)));
    }

    private static Dictionary<string, JsonNode> AllParameters(ExperimentSpec spec)
    {
        using var context = new ExperimentContext(RepositoryRoot.Path, MiniSpecPath, spec, TextWriter.Null);
        return ExperimentGraph.Build(context).ToDictionary(s => s.Id, s => ExperimentSession.LockParameters(context, s));
    }

    /// <summary>Every value recorded under a <c>gradient_accumulation</c> key of a learn record in the parameters.</summary>
    private static List<int> Occurrences(JsonNode? node) => node switch
    {
        JsonObject o => [.. o.SelectMany(p => p.Key == "gradient_accumulation" && p.Value is JsonValue v ? [v.GetValue<int>()] : Occurrences(p.Value))],
        JsonArray a => [.. a.SelectMany(Occurrences)],
        _ => [],
    };

    private static readonly string MiniSpecPath = Path.Combine(RepositoryRoot.Path, "experiments", "mini.yaml");

    private static JsonNode FineTuneParameters(ExperimentSpec spec, string stageId)
    {
        // The context is built directly: this build has no CUDA, so the loader would refuse device: cuda.
        using var context = new ExperimentContext(RepositoryRoot.Path, MiniSpecPath, spec, TextWriter.Null);
        var stage = ExperimentGraph.Build(context).Single(s => s.Id == stageId);
        return ExperimentSession.LockParameters(context, stage);
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using Atlas.Pipeline.Provenance;
using Atlas.Pipeline.Specs;
using Atlas.Stages.Audit;
using Atlas.Stages.RoCrate;
using Atlas.Stages.Tests.Support;

namespace Atlas.Stages.Tests.RoCrate;

/// <summary>
/// The RO-Crate of the finished micro experiment, checked by the test-side <see cref="RoCrateValidator"/> against the
/// RO-Crate 1.1 and Workflow Run Crate 0.5 rules, and against the lock records it was written from.
/// </summary>
[Collection(MicroPipelineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Slow)] // reads the micro pipeline's artifacts
public sealed class RoCrateExportTests(MicroPipeline pipeline)
{
    private const string License = "https://spdx.org/licenses/CC-BY-4.0";

    [Fact]
    public void The_micro_crate_validates_with_one_create_action_per_stage_carrying_its_lock()
    {
        using var repository = Copy();
        var folder = Folder(repository);
        var summary = RoCrateExport.Write(folder, MicroSpec.Name, License);

        var findings = RoCrateValidator.Validate(folder.Location);
        Assert.True(findings.Count == 0, string.Join("\n", findings));

        var graph = Graph(folder.Location);
        var stages = folder.StagesWithLocks();
        using var session = repository.Open();
        Assert.Equal(session.Stages.Count, stages.Count);
        // One tool run per stage, plus the workflow's own run.
        Assert.Equal(stages.Count + 1, graph.Values.Count(e => Types(e).Contains("CreateAction")));
        Assert.Equal(stages.Count, graph.Values.Count(e => Types(e).Contains("HowToStep")));
        Assert.Equal(stages.Count, graph.Values.Count(e => Types(e).Contains("ControlAction")));
        Assert.Single(graph.Values, e => Types(e).Contains("OrganizeAction"));
        foreach (var stage in stages)
        {
            var record = folder.ReadLock(stage).Record!;
            var action = graph[$"#run/{stage}"];
            Assert.Equal(record.StartedUtc, DateTimeOffset.Parse(action["startTime"]!.GetValue<string>(), CultureInfo.InvariantCulture));
            Assert.Equal(record.EndedUtc, DateTimeOffset.Parse(action["endTime"]!.GetValue<string>(), CultureInfo.InvariantCulture));
            Assert.Equal("http://schema.org/CompletedActionStatus", Ids(action["actionStatus"]).Single());
            // An output per recorded output, each the file's path in the folder with the recorded size and hash.
            var results = Ids(action["result"]).ToList();
            Assert.Equal(record.Outputs.Count, results.Count);
            foreach (var (path, output) in record.Outputs)
            {
                string id = path[(folder.ExperimentDir.Length + 1)..];
                Assert.Contains(id, results);
                Assert.Equal(output.Sha256, graph[id]["sha256"]!.GetValue<string>());
                Assert.Equal(output.Size.ToString(CultureInfo.InvariantCulture), graph[id]["contentSize"]!.GetValue<string>());
            }
            // Every input is an object of the action; every flattened parameter a PropertyValue with its value.
            var objects = Ids(action["object"]).ToHashSet();
            Assert.Equal(record.Inputs.Count, objects.Count(o => !o.StartsWith($"#run/{stage}/param/", StringComparison.Ordinal)));
            Assert.Equal(record.Seed, graph[$"#run/{stage}/param/seed"]["value"]!.GetValue<long>());
            Assert.Contains($"#run/{stage}/param/seed", objects);
        }

        // The flattened names are the lock's nested keys joined by dots (a fine-tune's learning rate, for one).
        var finetune = folder.ReadLock("finetune/mnist").Record!;
        double lr = finetune.Parameters["stage"]!["recipe"]!["lr"]!.GetValue<double>();
        Assert.Equal(lr, graph["#run/finetune/mnist/param/stage.recipe.lr"]["value"]!.GetValue<double>());
        Assert.Equal("Float", graph["#tool/finetune/param/stage.recipe.lr"]["additionalType"]!.GetValue<string>());

        // The summary counts what the file holds.
        Assert.Equal(graph.Count, summary.Entities);
        Assert.Equal(stages.Count + 1, summary.ByType.Single(t => t.Key == "CreateAction").Value);
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "atlas-micro-crate-summary.txt"), summary.Render()); // for the report
    }

    [Fact]
    public void The_export_is_deterministic_and_leaves_no_temporary_file()
    {
        using var repository = Copy();
        var folder = Folder(repository);
        string path = RoCrateExport.Write(folder, MicroSpec.Name, License).Path;
        byte[] first = File.ReadAllBytes(path);
        RoCrateExport.Write(folder, MicroSpec.Name, License);

        Assert.Equal(first, File.ReadAllBytes(path));
        Assert.Empty(Directory.EnumerateFiles(folder.Location, "*.tmp"));
    }

    [Fact]
    public void A_copy_of_the_artifacts_folder_without_the_data_exports_and_validates()
    {
        using var repository = Copy();
        using var reviewer = new ReviewerCopy(repository);
        string copy = reviewer.Location;

        RoCrateExport.Write(reviewer.Folder, MicroSpec.Name, License);

        var findings = RoCrateValidator.Validate(copy);
        Assert.True(findings.Count == 0, string.Join("\n", findings));
        // The data lies outside the crate: referenced by a local id with its recorded hash, not as a file.
        var graph = Graph(copy);
        var external = graph.Values.Where(e => e["@id"]!.GetValue<string>().StartsWith("#input:", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(external);
        Assert.All(external, e => Assert.Equal("CreativeWork", e["@type"]!.GetValue<string>()));
        Assert.All(external, e => Assert.Matches("^[0-9a-f]{64}$", e["sha256"]!.GetValue<string>()));
        Assert.DoesNotContain(Ids(graph["./"]["hasPart"]), id => id.StartsWith('#'));
        // The workflow's own run reads exactly those: what came from outside the experiment folder.
        Assert.Equal(external.Select(e => e["@id"]!.GetValue<string>()).Order(), Ids(graph["#run"]["object"]).Order());
    }

    [Fact]
    public void Without_a_licence_the_one_finding_is_the_missing_licence()
    {
        using var repository = Copy();
        var folder = Folder(repository);
        RoCrateExport.Write(folder, MicroSpec.Name);

        var finding = Assert.Single(RoCrateValidator.Validate(folder.Location));
        Assert.Equal("WR-4", finding.Rule);
        Assert.Null(Graph(folder.Location)["./"]["license"]);
    }

    [Fact]
    public void A_tampered_artifact_or_a_failed_stage_shows_in_the_crate()
    {
        using var repository = Copy();
        var folder = Folder(repository);
        // A flipped byte after export: the crate's recorded hash no longer matches the file.
        RoCrateExport.Write(folder, MicroSpec.Name, License);
        string vector = Path.Combine(folder.Location, "taskvector", "mnist", "task_vector.safetensors");
        var bytes = File.ReadAllBytes(vector);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(vector, bytes);
        var findings = RoCrateValidator.Validate(folder.Location);
        var broken = Assert.Single(findings);
        Assert.Equal(("RC-12", "taskvector/mnist/task_vector.safetensors"), (broken.Rule, broken.Entity));
        Assert.Contains("sha256", broken.Message);

        // A failed lock becomes a failed action with an error, and a failed workflow run.
        string lockPath = LockStore.PathIn(folder.StageDir("evaluate/mnist"));
        var record = JsonNode.Parse(File.ReadAllText(lockPath))!;
        record["status"] = "failed";
        File.WriteAllText(lockPath, record.ToJsonString());
        Assert.Equal(LockStatus.Failed, folder.ReadLock("evaluate/mnist").Record!.Status);
        RoCrateExport.Write(folder, MicroSpec.Name, License);
        var graph = Graph(folder.Location);
        Assert.Equal("http://schema.org/FailedActionStatus", Ids(graph["#run/evaluate/mnist"]["actionStatus"]).Single());
        Assert.NotNull(graph["#run/evaluate/mnist"]["error"]);
        Assert.Equal("http://schema.org/FailedActionStatus", Ids(graph["#run"]["actionStatus"]).Single());
        Assert.Equal("http://schema.org/FailedActionStatus", Ids(graph["#control/evaluate/mnist"]["actionStatus"]).Single());
    }

    [Fact]
    public void An_experiment_without_its_resolved_spec_is_refused_naming_the_file()
    {
        using var repository = Copy();
        var folder = Folder(repository);
        File.Delete(Path.Combine(folder.Location, "spec.resolved.yaml"));

        var error = Assert.Throws<FileNotFoundException>(() => RoCrateExport.Write(folder, MicroSpec.Name, License));
        Assert.Contains("spec.resolved.yaml", error.Message);
        Assert.False(File.Exists(Path.Combine(folder.Location, RoCrateTerms.MetadataFileName)));
    }

    private TempRepository Copy()
    {
        var repository = new TempRepository();
        repository.CopyArtifactsFrom(pipeline.Repository);
        return repository;
    }

    private static ArtifactFolder Folder(TempRepository repository)
    {
        using var session = ExperimentSession.Open(repository.SpecPath, new StringWriter(), repository.Root, SpecCheckLevel.GraphOnly);
        return ArtifactFolder.Of(session.Context);
    }

    private static Dictionary<string, JsonObject> Graph(string folder) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(folder, RoCrateTerms.MetadataFileName)))!["@graph"]!.AsArray()
            .Select(e => e!.AsObject()).ToDictionary(e => e["@id"]!.GetValue<string>());

    private static HashSet<string> Types(JsonObject entity) =>
        entity["@type"] is JsonArray array ? array.Select(t => t!.GetValue<string>()).ToHashSet() : [entity["@type"]!.GetValue<string>()];

    private static IEnumerable<string> Ids(JsonNode? value) =>
        (value is JsonArray array ? array.ToList() : [value]).OfType<JsonObject>().Select(o => o["@id"]!.GetValue<string>());
}

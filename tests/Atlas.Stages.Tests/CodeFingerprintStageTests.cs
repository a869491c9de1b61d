using System.Diagnostics;
using System.Text.Json.Nodes;
using Atlas.Pipeline.Provenance;
using Atlas.Pipeline.Specs;
using Atlas.Stages.Tests.Support;
using Xunit.Abstractions;

namespace Atlas.Stages.Tests;

/// <summary>The code fingerprint in the lock records of the micro experiment, and a changed fingerprint making exactly the
/// stage and what depends on it stale, with the reason shown by Plan.</summary>
[Collection(MicroPipelineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Slow)] // reads the micro pipeline's artifacts
public sealed class CodeFingerprintStageTests(MicroPipeline pipeline, ITestOutputHelper output)
{
    private const string Changed = "finetune/mnist";

    [Fact]
    public void Every_lock_records_the_fingerprint_of_its_stages_code()
    {
        using var session = pipeline.Repository.Open();
        foreach (var stage in session.Stages)
        {
            var record = LockStore.Read(session.Context.Absolute(session.Context.Layout.StageDir(stage.Id))).Record!;
            Assert.Equal(ExperimentSession.CodeFingerprintOf(stage), record.CodeFingerprint);
        }
    }

    [Fact]
    public void A_changed_fingerprint_stales_that_stage_and_its_downstream_only_saying_code_changed()
    {
        using var repository = new TempRepository();
        repository.CopyArtifactsFrom(pipeline.Repository);
        EditLock(repository, Changed, record => record["code_fingerprint"] = new string('0', 64));
        using var session = repository.Open();

        var plan = session.Plan();

        Assert.StartsWith("code changed (fingerprint 00000000… → ", plan[Changed].ToString());
        var stale = plan.Where(p => !p.Value.IsUpToDate).Select(p => p.Key).ToHashSet();
        // What reads the fine-tuned weights, directly or not: its task vector, its evaluation, every composition that uses
        // that vector, and the report; not the other tasks' fine-tunes, nor the heads, nor the data or the pretraining.
        Assert.Contains("taskvector/mnist", stale);
        Assert.Contains("evaluate/mnist", stale);
        Assert.Contains(StageIds.Report, stale);
        Assert.DoesNotContain("finetune/mnist_parity", stale);
        Assert.DoesNotContain("heads/mnist", stale);
        Assert.DoesNotContain("pretrain", stale);
        Assert.Equal(session.Graph.Downstream(Changed).Select(n => n.Id).Append(Changed).Order(StringComparer.Ordinal), stale.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_lock_without_a_fingerprint_is_stale_as_from_an_older_version()
    {
        using var repository = new TempRepository();
        repository.CopyArtifactsFrom(pipeline.Repository);
        EditLock(repository, Changed, record => record.AsObject().Remove("code_fingerprint"));
        using var session = repository.Open();

        Assert.Equal("code fingerprint not recorded (lock from an older version)", session.Plan()[Changed].ToString());
    }

    [Fact]
    public void On_the_mini_spec_stages_of_one_kind_share_a_fingerprint_and_kinds_differ()
    {
        using var session = ExperimentSession.Open(Path.Combine(RepositoryRoot.Path, "experiments", "mini.yaml"), new StringWriter(),
            RepositoryRoot.Path, SpecCheckLevel.GraphOnly);
        var fingerprints = session.Stages.ToDictionary(s => s.Id, ExperimentSession.CodeFingerprintOf);
        // Timed with a fresh walker: the project's one has cached what the other tests of this process walked.
        var fresh = new CodeFingerprint(a => a.GetName().Name?.StartsWith("Atlas.", StringComparison.Ordinal) == true);
        var clock = Stopwatch.StartNew();
        foreach (var stage in session.Stages)
            Assert.Equal(fingerprints[stage.Id], fresh.Of(stage.GetType().GetMethod(nameof(Stage.Execute), [typeof(ExperimentContext), typeof(StageRun)])!));
        clock.Stop();

        var kinds = session.Stages.GroupBy(s => s.GetType()).ToList();
        foreach (var kind in kinds) Assert.Single(kind.Select(s => fingerprints[s.Id]).Distinct());
        Assert.Equal(kinds.Count, kinds.Select(k => fingerprints[k.First().Id]).Distinct().Count());
        output.WriteLine($"{session.Stages.Count} stages, {kinds.Count} stage kinds, {fingerprints.Values.Distinct().Count()} fingerprints in {clock.ElapsedMilliseconds} ms");
        foreach (var kind in kinds)
        {
            var entry = kind.Key.GetMethod(nameof(Stage.Execute), [typeof(ExperimentContext), typeof(StageRun)])!;
            output.WriteLine($"{kind.Key.Name}: {kind.Count()} stages, {CodeFingerprint.Project.MethodCount(entry)} methods, {fingerprints[kind.First().Id][..12]}");
        }
    }

    private static void EditLock(TempRepository repository, string stage, Action<JsonNode> edit)
    {
        string path = repository.Absolute(Path.Combine("artifacts", MicroSpec.Name, stage, "lock.json"));
        var record = JsonNode.Parse(File.ReadAllText(path))!;
        edit(record);
        File.WriteAllText(path, record.ToJsonString());
    }
}

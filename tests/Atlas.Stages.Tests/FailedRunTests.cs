using System.Text.Json.Nodes;
using Atlas.Pipeline.Provenance;
using Atlas.Stages.Tests.Support;

namespace Atlas.Stages.Tests;

/// <summary>
/// A failed stage never leaves a finished experiment's outputs changed (<see cref="StageOutputBackup"/>): a run that
/// throws after writing new outputs puts the previous ones back under their lock, and a backup a killed process left
/// behind is restored or removed by the next session by the documented rule.
/// </summary>
[Collection(MicroPipelineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Slow)] // runs the micro pipeline
public sealed class FailedRunTests(MicroPipeline pipeline)
{
    private static readonly ArtifactLayout Layout = new(MicroSpec.Name);

    [Fact]
    public void Report_failing_after_writing_new_tables_leaves_the_previous_outputs_byte_identical()
    {
        using var repository = CopyOfPipeline();
        var before = StageFiles(repository, StageIds.Report);
        var reportFolder = repository.Absolute(Layout.StageDir(StageIds.Report));
        var lockBytes = File.ReadAllBytes(LockStore.PathIn(reportFolder));
        // An input changed upstream, so the rerun computes different tables; the hook fails it after it wrote them all
        // (the report stage prints its tables after writing them).
        var accuracyPath = repository.Absolute(Layout.Accuracy("mnist"));
        var accuracyBytes = File.ReadAllBytes(accuracyPath);
        var accuracy = JsonNode.Parse(accuracyBytes)!.AsObject();
        foreach (var name in accuracy.Select(p => p.Key).ToList())
            if (accuracy[name] is JsonValue value && value.TryGetValue<double>(out _)) accuracy[name] = 12.5;
        File.WriteAllText(accuracyPath, accuracy.ToJsonString());
        // ... as if evaluate/mnist had rerun and written it: its lock records the new bytes, which the report checks.
        var evaluateLock = LockStore.PathIn(repository.Absolute(Layout.StageDir(StageIds.Evaluate("mnist"))));
        var evaluateLockBytes = File.ReadAllBytes(evaluateLock);
        var evaluateRecord = JsonNode.Parse(evaluateLockBytes)!;
        evaluateRecord["outputs"]![Layout.Accuracy("mnist")]!["sha256"] = Atlas.Store.ContentHash.OfFile(accuracyPath);
        evaluateRecord["outputs"]![Layout.Accuracy("mnist")]!["size"] = new FileInfo(accuracyPath).Length;
        File.WriteAllText(evaluateLock, evaluateRecord.ToJsonString());

        var failing = new FailingLog(text => text.StartsWith('|'));
        using (var session = repository.Open(failing))
            Assert.Throws<SimulatedKill>(() => session.Run(StageIds.Report, force: false));

        // The failed run did compute other tables than the ones on disk ...
        var printed = failing.ToString()[failing.ToString().IndexOf('|')..];
        Assert.DoesNotContain(before.Values, bytes => System.Text.Encoding.UTF8.GetString(bytes) == printed);
        // ... and left every previous output and the lock byte-identical, its own record beside them.
        Assert.Equal(before.Keys.Order(), StageFiles(repository, StageIds.Report).Keys.Order());
        foreach (var (path, bytes) in StageFiles(repository, StageIds.Report)) Assert.True(before[path].AsSpan().SequenceEqual(bytes), path);
        Assert.Equal(lockBytes, File.ReadAllBytes(LockStore.PathIn(reportFolder)));
        Assert.False(Directory.Exists(Path.Combine(reportFolder, StageOutputBackup.FolderName)), "the backup outlived the run");
        var failure = File.ReadAllText(Path.Combine(reportFolder, StageOutputBackup.LastFailureFileName));
        Assert.Contains("\"status\": \"failed\"", failure);

        File.WriteAllBytes(accuracyPath, accuracyBytes);
        File.WriteAllBytes(evaluateLock, evaluateLockBytes);
        AssertAllUpToDate(repository);
    }

    [Fact]
    public void Backup_left_by_a_killed_run_is_restored_when_the_lock_describes_it()
    {
        using var repository = CopyOfPipeline();
        string stageId = StageIds.FineTune(MicroSpec.FewShotTarget);
        var before = StageFiles(repository, stageId);
        // What a kill -9 leaves after the outputs were moved aside and the new run wrote one of its own.
        var backup = repository.Absolute(Path.Combine(Layout.StageDir(stageId), StageOutputBackup.FolderName));
        foreach (var path in before.Keys)
        {
            var target = Path.Combine(backup, Path.GetRelativePath(Layout.ExperimentDir, path));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(repository.Absolute(path), target);
        }
        File.WriteAllText(repository.Absolute(Layout.FineTuneHistory(MicroSpec.FewShotTarget)), "[\"a new run's history\"]");

        // Planning only reads: the stage shows stale (its outputs are aside) until its next run recovers them.
        using (var planning = repository.Open()) Assert.False(planning.Plan()[stageId].IsUpToDate);
        Assert.True(Directory.Exists(backup));
        var log = new StringWriter();
        using (var session = repository.Open(log)) Assert.False(session.Run(stageId, force: false));
        AssertAllUpToDate(repository);

        Assert.Contains($"[{stageId}] an interrupted run left its previous outputs aside; restored 2 file(s)", log.ToString());
        Assert.False(Directory.Exists(backup));
        foreach (var (path, bytes) in StageFiles(repository, stageId)) Assert.Equal(before[path], bytes);
    }

    [Fact]
    public void Backup_the_lock_does_not_describe_is_removed_and_the_outputs_kept()
    {
        using var repository = CopyOfPipeline();
        string stageId = StageIds.FineTune(MicroSpec.FewShotTarget);
        var before = StageFiles(repository, stageId);
        // A finished run wrote its lock and outputs and was killed while deleting the old outputs it had set aside.
        var backup = repository.Absolute(Path.Combine(Layout.StageDir(stageId), StageOutputBackup.FolderName));
        var stale = Path.Combine(backup, Path.GetRelativePath(Layout.ExperimentDir, Layout.FineTuneHistory(MicroSpec.FewShotTarget)));
        Directory.CreateDirectory(Path.GetDirectoryName(stale)!);
        File.WriteAllText(stale, "[\"an older run's history\"]");

        var log = new StringWriter();
        using (var session = repository.Open(log)) Assert.False(session.Run(stageId, force: false));

        Assert.Contains($"[{stageId}] removed the previous outputs an interrupted run left aside", log.ToString());
        Assert.Contains($"[{stageId}] up to date", log.ToString());
        Assert.False(Directory.Exists(backup));
        foreach (var (path, bytes) in StageFiles(repository, stageId)) Assert.Equal(before[path], bytes);
    }

    private TempRepository CopyOfPipeline()
    {
        var repository = new TempRepository();
        repository.CopyArtifactsFrom(pipeline.Repository);
        return repository;
    }

    /// <summary>A stage's output files (repository-relative) and their bytes.</summary>
    private static Dictionary<string, byte[]> StageFiles(TempRepository repository, string stageId)
    {
        using var session = repository.Open();
        var stage = session.Stages.Single(s => s.Id == stageId);
        return stage.Outputs(session.Context).ToDictionary(p => p, p => File.ReadAllBytes(repository.Absolute(p)));
    }

    private static void AssertAllUpToDate(TempRepository repository, TextWriter? log = null)
    {
        using var session = repository.Open(log);
        var stale = session.Plan().Where(p => !p.Value.IsUpToDate).Select(p => $"{p.Key}: {p.Value}").ToList();
        Assert.Empty(stale);
    }
}

using System.Text.Json.Nodes;
using Atlas.Pipeline.Provenance;
using Atlas.Pipeline.Specs;
using Atlas.Stages.Audit;
using Atlas.Stages.Tests.Support;

namespace Atlas.Stages.Tests;

/// <summary>
/// <c>atlas audit</c> on the finished micro experiment: it passes as run and on a copy without the data, and every kind
/// of tampering (a flipped byte, a deleted file, an edited lock) is reported naming the stage and the file.
/// </summary>
[Collection(MicroPipelineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Slow)] // reads the micro pipeline's artifacts
public sealed class AuditTests(MicroPipeline pipeline)
{
    private const string TaskVectorStage = "taskvector/mnist";

    [Fact]
    public void The_finished_micro_run_passes_with_every_stage_locked_and_every_output_hashed()
    {
        using var repository = Copy();
        var report = Audit(repository);

        Assert.True(report.Passed, report.Render());
        using var session = repository.Open();
        Assert.Equal(session.Stages.Count, report.StagesInGraph);
        Assert.Equal(session.Stages.Count, report.LocksRead);
        int outputs = session.Stages.Sum(s => s.Outputs(session.Context).Count);
        Assert.True(report.FilesHashed >= outputs, $"{report.FilesHashed} files hashed, {outputs} outputs");
        Assert.DoesNotContain(report.Findings, f => f.Check == AuditCheck.SourceAbsent);
    }

    [Fact]
    public void A_copy_of_the_artifacts_folder_elsewhere_passes_without_the_data_which_is_named_as_not_checked()
    {
        using var repository = Copy();
        using var copy = new ReviewerCopy(repository);

        var report = ExperimentAudit.Run(copy.Session, copy.Folder);

        Assert.True(report.Passed, report.Render());
        var absent = report.Findings.Where(f => f.Check == AuditCheck.SourceAbsent).ToList();
        Assert.NotEmpty(absent);
        Assert.All(absent, f => Assert.Equal(AuditSeverity.Warning, f.Severity));
        Assert.Contains(absent, f => f.File.EndsWith("manifest.json", StringComparison.Ordinal));

        // And the copy is really what is audited: a byte flipped there is found.
        FlipByte(Path.Combine(copy.Location, TaskVectorStage, "task_vector.safetensors"));
        var tampered = ExperimentAudit.Run(copy.Session, copy.Folder);
        Assert.Contains(tampered.Findings, f => f is { Check: AuditCheck.OutputModified, Stage: TaskVectorStage });
    }

    [Theory]
    [InlineData("taskvector/mnist", "task_vector.safetensors")]
    [InlineData("evaluate/mnist", "accuracy.json")]
    [InlineData("report", "tables/task_addition.csv")]
    [InlineData("finetune/mnist", "visual.safetensors")]
    public void A_flipped_byte_in_an_artifact_is_reported_by_file_and_stage(string stage, string file)
    {
        using var repository = Copy();
        string path = OutputPath(repository, stage, file);
        FlipByte(repository.Absolute(path));

        var report = Audit(repository);

        Assert.False(report.Passed);
        var finding = Assert.Single(report.Findings, f => f.Check == AuditCheck.OutputModified);
        Assert.Equal(stage, finding.Stage);
        Assert.Equal(path, finding.File);
        Assert.Contains(path, report.Render());
    }

    [Fact]
    public void A_deleted_artifact_is_reported_as_missing()
    {
        using var repository = Copy();
        string path = OutputPath(repository, TaskVectorStage, "task_vector.safetensors");
        File.Delete(repository.Absolute(path));

        var report = Audit(repository);

        var finding = Assert.Single(report.Findings, f => f.Severity == AuditSeverity.Break);
        Assert.Equal((AuditCheck.OutputMissing, TaskVectorStage, path), (finding.Check, finding.Stage, finding.File));
    }

    [Fact]
    public void A_deleted_lock_is_reported_for_its_stage_and_where_the_report_quoted_it()
    {
        using var repository = Copy();
        string lockPath = Lock(TaskVectorStage);
        File.Delete(repository.Absolute(lockPath));

        var report = Audit(repository);

        Assert.Contains(report.Findings, f => f is { Check: AuditCheck.LockMissing, Stage: TaskVectorStage } && f.File == lockPath);
        // Its outputs are no stage's now, so the readers' inputs are unproduced.
        Assert.Contains(report.Findings, f => f.Check == AuditCheck.InputUnproduced && f.File.EndsWith("taskvector/mnist/task_vector.safetensors", StringComparison.Ordinal));
        Assert.Contains(report.Findings, f => f.Check == AuditCheck.InputUnproduced && f.Stage == StageIds.Report && f.File == lockPath);
    }

    [Fact]
    public void An_edited_parameter_in_a_lock_no_longer_hashes_to_its_params_hash()
    {
        using var repository = Copy();
        EditLock(repository, TaskVectorStage, record => record["parameters"]!["threads"] = 7);

        var report = Audit(repository);

        Assert.Contains(report.Findings, f => f is { Check: AuditCheck.LockInconsistent, Stage: TaskVectorStage } && f.File == Lock(TaskVectorStage));
        // The report quoted the lock as it was.
        Assert.Contains(report.Findings, f => f is { Check: AuditCheck.InputBroken, Stage: StageIds.Report } && f.File == Lock(TaskVectorStage));
    }

    [Fact]
    public void An_edited_output_hash_in_a_lock_is_reported_as_a_modified_output()
    {
        using var repository = Copy();
        string path = OutputPath(repository, TaskVectorStage, "task_vector.safetensors");
        EditLock(repository, TaskVectorStage, record => record["outputs"]![path]!["sha256"] = new string('0', 64));

        var report = Audit(repository);

        Assert.Contains(report.Findings, f => f is { Check: AuditCheck.OutputModified, Stage: TaskVectorStage } && f.File == path);
    }

    [Fact]
    public void An_edited_input_hash_in_a_lock_breaks_the_chain_at_that_stage()
    {
        using var repository = Copy();
        string input = OutputPath(repository, "finetune/mnist", "visual.safetensors");
        EditLock(repository, TaskVectorStage, record => record["inputs"]![input] = new string('a', 64));

        var report = Audit(repository);

        var finding = Assert.Single(report.Findings, f => f.Check == AuditCheck.InputBroken && f.Stage == TaskVectorStage);
        Assert.Equal(input, finding.File);
        Assert.Contains("finetune/mnist", finding.Message);
    }

    [Fact]
    public void An_edited_time_in_a_lock_is_caught_by_the_report_that_quoted_it()
    {
        using var repository = Copy();
        EditLock(repository, TaskVectorStage, record => record["started_utc"] = "2020-01-01T00:00:00+00:00");

        var report = Audit(repository);

        var finding = Assert.Single(report.Findings, f => f.Severity == AuditSeverity.Break);
        Assert.Equal((AuditCheck.InputBroken, StageIds.Report, Lock(TaskVectorStage)), (finding.Check, finding.Stage, finding.File));
    }

    [Fact]
    public void A_spec_changed_since_the_run_is_reported_with_the_parameter_that_differs()
    {
        using var repository = Copy(MicroSpec.With(MicroSpec.OverrideLine, "    finetune: { lr: 0.002 }"));

        var report = Audit(repository);

        var finding = Assert.Single(report.Findings, f => f is { Check: AuditCheck.ParametersDiffer, Stage: "finetune/" + MicroSpec.OverriddenTask });
        Assert.Contains("0.001 → 0.002", finding.Message);
    }

    [Fact]
    public void Mixed_code_versions_are_named_as_warnings_not_breaks()
    {
        using var repository = Copy();
        EditLockKeepingReport(repository, TaskVectorStage, record => record["code"] = new JsonObject { ["commit"] = "0123456789abcdef", ["dirty"] = true });

        var report = Audit(repository);

        Assert.True(report.Passed, report.Render());
        Assert.Contains(report.Findings, f => f.Check == AuditCheck.CodeMixed && f.Message.Contains("0123456789") && f.Message.Contains(TaskVectorStage));
        Assert.Contains(report.Findings, f => f.Check == AuditCheck.CodeMixed && f.Message.Contains("uncommitted") && f.Message.Contains(TaskVectorStage));
    }

    [Fact]
    public void A_stage_computed_by_other_code_is_named_as_a_warning()
    {
        using var repository = Copy();
        EditLockKeepingReport(repository, TaskVectorStage, record => record["code_fingerprint"] = new string('f', 64));

        var report = Audit(repository);

        Assert.True(report.Passed, report.Render());
        var finding = Assert.Single(report.Findings, f => f.Check == AuditCheck.CodeMixed && f.Stage == TaskVectorStage);
        Assert.Contains("fingerprint ffffffffffff… recorded", finding.Message);
    }

    [Fact]
    public void Every_table_cell_follows_from_the_stage_results_and_a_forged_cell_is_named()
    {
        using var repository = Copy();
        Assert.DoesNotContain(AuditWithCells(repository).Findings, f => f.Check == AuditCheck.TableCell);

        // A careful forger edits a number in a table and records the new bytes in the report's lock.
        string table = Path.Combine("artifacts", MicroSpec.Name, "tables", "task_addition.csv");
        var lines = File.ReadAllLines(repository.Absolute(table));
        int row = Array.FindIndex(lines, l => l.StartsWith("atlas_blockwise,", StringComparison.Ordinal));
        var cells = lines[row].Split(',');
        cells[1] = "99.99";
        lines[row] = string.Join(',', cells);
        File.WriteAllLines(repository.Absolute(table), lines);
        EditLock(repository, StageIds.Report, record =>
        {
            record["outputs"]![table]!["sha256"] = Atlas.Store.ContentHash.OfFile(repository.Absolute(table));
            record["outputs"]![table]!["size"] = new FileInfo(repository.Absolute(table)).Length;
        });

        var report = AuditWithCells(repository);

        var finding = Assert.Single(report.Findings, f => f.Severity == AuditSeverity.Break);
        Assert.Equal((AuditCheck.TableCell, table), (finding.Check, finding.File));
        Assert.StartsWith($"cell atlas_blockwise / {lines[0].Split(',')[1]} is 99.99; the stage results give ", finding.Message);
    }

    private static AuditReport AuditWithCells(TempRepository repository)
    {
        using var session = ExperimentSession.Open(repository.SpecPath, new StringWriter(), repository.Root, SpecCheckLevel.GraphOnly);
        var folder = ArtifactFolder.Of(session.Context);
        return ExperimentAudit.Run(session, folder, () => TableCellCheck.Findings(session.Context, folder));
    }

    private TempRepository Copy(string? spec = null)
    {
        var repository = new TempRepository(spec);
        repository.CopyArtifactsFrom(pipeline.Repository);
        return repository;
    }

    private static AuditReport Audit(TempRepository repository)
    {
        using var session = ExperimentSession.Open(repository.SpecPath, new StringWriter(), repository.Root, SpecCheckLevel.GraphOnly);
        return ExperimentAudit.Run(session, ArtifactFolder.Of(session.Context));
    }

    private static string Lock(string stage) => Path.Combine("artifacts", MicroSpec.Name, stage, "lock.json");

    /// <summary>The recorded output of <paramref name="stage"/> ending in <paramref name="file"/>, as its lock names it.</summary>
    private static string OutputPath(TempRepository repository, string stage, string file)
    {
        var record = LockStore.Read(repository.Absolute(Path.Combine("artifacts", MicroSpec.Name, stage))).Record!;
        return record.Outputs.Keys.Single(p => p.EndsWith("/" + file, StringComparison.Ordinal));
    }

    private static void EditLock(TempRepository repository, string stage, Action<JsonNode> edit)
    {
        string path = repository.Absolute(Lock(stage));
        var record = JsonNode.Parse(File.ReadAllText(path))!;
        edit(record);
        File.WriteAllText(path, record.ToJsonString());
    }

    /// <summary>Edits a lock and re-records its hash where the report quoted it, as a careful forger would: what is left
    /// is what the lock says, not a broken chain.</summary>
    private static void EditLockKeepingReport(TempRepository repository, string stage, Action<JsonNode> edit)
    {
        EditLock(repository, stage, edit);
        EditLock(repository, StageIds.Report, record => record["inputs"]![Lock(stage)] = Atlas.Store.ContentHash.OfFile(repository.Absolute(Lock(stage))));
        // The report's own lock is quoted by nothing, so the edit above leaves no other trace.
    }

    private static void FlipByte(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x01;
        var written = File.GetLastWriteTimeUtc(path);
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, written); // a same-size, same-time change: no cache may hide it
    }
}

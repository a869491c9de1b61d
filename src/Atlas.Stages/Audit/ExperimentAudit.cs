using Atlas.Pipeline.Graph;
using Atlas.Pipeline.Provenance;
using Atlas.Store;

namespace Atlas.Stages.Audit;

/// <summary>
/// Checks a finished experiment without running anything (<c>atlas audit</c>): every stage of the spec's graph has a
/// successful, self-consistent lock record whose parameters are the spec's; every output's bytes are what its lock
/// recorded; every artifact a stage read is what its producer recorded writing, so the chain from each table back to
/// the data and the pretrained weights is unbroken; the stages' code and package versions, and which ones differ; and
/// every table cell against the stage results. It reads only the artifacts folder (possibly a reviewer's copy, see
/// <see cref="ArtifactFolder"/>) and, where present, the source files the locks name: without the data, those are
/// reported as not checked, not as breaks.
/// </summary>
public sealed class ExperimentAudit
{
    private readonly ExperimentContext context;
    private readonly IReadOnlyList<Stage> stages;
    private readonly ArtifactFolder folder;
    private readonly List<AuditFinding> findings = [];
    private readonly Dictionary<string, string?> fileHashes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LockRecord> locks = new(StringComparer.Ordinal);

    private ExperimentAudit(ExperimentContext context, IReadOnlyList<Stage> stages, ArtifactFolder folder)
    {
        this.context = context;
        this.stages = stages;
        this.folder = folder;
    }

    /// <summary>Audits the experiment of <paramref name="session"/> as found in <paramref name="folder"/>.</summary>
    /// <param name="tableCells">The table-cell check (re-deriving each table from the stage results), or null to skip it.</param>
    public static AuditReport Run(ExperimentSession session, ArtifactFolder folder, Func<IEnumerable<AuditFinding>>? tableCells = null)
    {
        var ordered = session.Graph.TopologicalOrder().Select(node => session.Stages.Single(s => s.Id == node.Id)).ToList();
        var audit = new ExperimentAudit(session.Context, ordered, folder);
        return audit.Check(tableCells);
    }

    private AuditReport Check(Func<IEnumerable<AuditFinding>>? tableCells)
    {
        foreach (var stage in stages) ReadLock(stage.Id);
        foreach (var extra in folder.StagesWithLocks().Where(id => stages.All(s => s.Id != id)))
            Add(AuditSeverity.Warning, AuditCheck.ExtraLock, extra, LockPath(extra), "a lock record of a stage this spec does not have (left by an earlier spec?); not audited");

        var producers = Producers();
        foreach (var stage in stages)
        {
            if (!locks.TryGetValue(stage.Id, out var record)) continue;
            CheckRecord(stage, record);
            CheckOutputs(stage, record);
            CheckInputs(stage, record, producers);
        }
        CheckVersions();
        if (tableCells is not null) findings.AddRange(tableCells());
        return new AuditReport(folder, stages.Count, locks.Count, fileHashes.Count(h => h.Value is not null), findings);
    }

    private void ReadLock(string stageId)
    {
        var stored = folder.ReadLock(stageId);
        if (stored.Problem is { } problem) Add(AuditSeverity.Break, AuditCheck.LockUnreadable, stageId, LockPath(stageId), problem);
        else if (stored.Record is null) Add(AuditSeverity.Break, AuditCheck.LockMissing, stageId, LockPath(stageId), "no lock record: the stage never ran here, or its record was removed");
        else locks[stageId] = stored.Record;
    }

    /// <summary>Recorded output path → (producing stage, record), and each lock file → its stage (a report reads them).</summary>
    private Dictionary<string, (string Stage, OutputRecord? Output)> Producers()
    {
        var producers = new Dictionary<string, (string, OutputRecord?)>(StringComparer.Ordinal);
        foreach (var (stageId, record) in locks)
        {
            foreach (var (path, output) in record.Outputs) producers[path] = (stageId, output);
            producers[LockPath(stageId)] = (stageId, null);
        }
        return producers;
    }

    private void CheckRecord(Stage stage, LockRecord record)
    {
        string lockPath = LockPath(stage.Id);
        if (record.Stage != stage.Id)
            Add(AuditSeverity.Break, AuditCheck.LockInconsistent, stage.Id, lockPath, $"records stage '{record.Stage}', not the stage of its folder");
        bool selfConsistent = ContentHash.OfJson(record.Parameters) == record.ParamsHash;
        if (!selfConsistent)
            Add(AuditSeverity.Break, AuditCheck.LockInconsistent, stage.Id, lockPath,
                $"its parameters do not hash to its params_hash {Short(record.ParamsHash)}: the record was edited");
        if (record.Status != LockStatus.Succeeded)
            Add(AuditSeverity.Break, AuditCheck.RunFailed, stage.Id, lockPath, $"the recorded run {SpecNameOf(record.Status)}");

        var current = ExperimentSession.LockParameters(context, stage);
        if (ContentHash.OfJson(current) != record.ParamsHash && selfConsistent)
        {
            var changes = ParameterDiff.Describe(record.Parameters, current);
            Add(AuditSeverity.Break, AuditCheck.ParametersDiffer, stage.Id, lockPath,
                $"computed with other parameters than the spec gives it now: {(changes.Count > 0 ? string.Join("; ", changes) : "parameter hashing differs")}");
        }
    }

    private void CheckOutputs(Stage stage, LockRecord record)
    {
        if (record.Status != LockStatus.Succeeded) return;
        foreach (var declared in stage.Outputs(context).Where(p => !record.Outputs.ContainsKey(p)))
            Add(AuditSeverity.Break, AuditCheck.OutputMissing, stage.Id, declared, "the stage declares this output but its lock does not record it");
        foreach (var (path, output) in record.Outputs)
        {
            var file = new FileInfo(folder.Resolve(path));
            if (!file.Exists)
            {
                Add(AuditSeverity.Break, AuditCheck.OutputMissing, stage.Id, path, "recorded output is not there");
                continue;
            }
            var hash = Hash(path);
            if (hash != output.Sha256 || file.Length != output.Size)
                Add(AuditSeverity.Break, AuditCheck.OutputModified, stage.Id, path,
                    $"bytes differ from the lock (sha256 {Short(output.Sha256)}, {output.Size} bytes recorded; {Short(hash!)}, {file.Length} bytes now)");
        }
    }

    private void CheckInputs(Stage stage, LockRecord record, Dictionary<string, (string Stage, OutputRecord? Output)> producers)
    {
        foreach (var (path, recorded) in record.Inputs)
        {
            if (folder.Contains(path))
            {
                if (!producers.TryGetValue(path, out var producer))
                {
                    Add(AuditSeverity.Break, AuditCheck.InputUnproduced, stage.Id, path, $"read (sha256 {Short(recorded)}) but no stage's lock records producing it");
                    continue;
                }
                // A lock record the stage read (the report quotes them) has no output record: it is compared with the file.
                var expected = producer.Output?.Sha256 ?? Hash(path);
                if (expected is null)
                    Add(AuditSeverity.Break, AuditCheck.InputBroken, stage.Id, path, $"read from {producer.Stage}, which is not there any more");
                else if (expected != recorded)
                    Add(AuditSeverity.Break, AuditCheck.InputBroken, stage.Id, path,
                        $"read as sha256 {Short(recorded)}, but {producer.Stage} {(producer.Output is null ? "has a lock record with" : "recorded writing")} {Short(expected)}: "
                        + "the chain to the data is broken here");
                continue;
            }
            var now = Hash(path);
            if (now is null) continue; // reported once per file below
            if (now != recorded)
                Add(AuditSeverity.Break, AuditCheck.SourceChanged, stage.Id, path, $"read as sha256 {Short(recorded)}; the file here is {Short(now)}");
        }
    }

    private void CheckVersions()
    {
        void Mixed<TKey>(AuditCheck check, Func<LockRecord, TKey> key, Func<TKey, string> describe) where TKey : notnull
        {
            var groups = locks.GroupBy(l => key(l.Value)).OrderByDescending(g => g.Count()).ToList();
            if (groups.Count < 2) return;
            foreach (var minority in groups.Skip(1))
                Add(AuditSeverity.Warning, check, "", "",
                    $"{minority.Count()} stage(s) computed with {describe(minority.Key)} ({StageGraph.Abbreviate([.. minority.Select(l => l.Key)])}); "
                    + $"the other {groups[0].Count()} with {describe(groups[0].Key)}");
        }

        // Uncommitted changes are reported on their own line below, so a commit groups clean and dirty runs alike.
        Mixed(AuditCheck.CodeMixed, r => Describe(r.Code), code => code);
        Mixed(AuditCheck.PackagesMixed, r => string.Join(", ", r.Packages.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}")), p => p);
        // The fingerprint says more than the commit: which stages this build's code would compute differently.
        var unfingerprinted = locks.Where(l => l.Value.CodeFingerprint is null).Select(l => l.Key).ToList();
        if (unfingerprinted.Count > 0)
            Add(AuditSeverity.Warning, AuditCheck.CodeMixed, "", "",
                $"{unfingerprinted.Count} stage(s) recorded no code fingerprint (locks from an older version), so whether this build's code computes them alike is unknown: {StageGraph.Abbreviate(unfingerprinted)}");
        foreach (var stage in stages.Where(s => locks.TryGetValue(s.Id, out var r) && r.CodeFingerprint is { } recorded && recorded != ExperimentSession.CodeFingerprintOf(s)))
            Add(AuditSeverity.Warning, AuditCheck.CodeMixed, stage.Id, LockPath(stage.Id),
                $"computed by other code than this build's (fingerprint {Short(locks[stage.Id].CodeFingerprint!)} recorded, {Short(ExperimentSession.CodeFingerprintOf(stage))} now): the stage is stale here");
        var dirty = locks.Where(l => l.Value.Code.Dirty == true).Select(l => l.Key).ToList();
        if (dirty.Count > 0)
            Add(AuditSeverity.Warning, AuditCheck.CodeMixed, "", "",
                $"{dirty.Count} stage(s) ran from a checkout with uncommitted changes, so their commit does not identify their code: {StageGraph.Abbreviate(dirty)}");

        // Source files outside the artifacts that are not here: one line per file, not per reader.
        foreach (var path in locks.Values.SelectMany(r => r.Inputs.Keys).Where(p => !folder.Contains(p)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            if (Hash(path) is null)
            {
                var readers = locks.Where(l => l.Value.Inputs.ContainsKey(path)).Select(l => l.Key).ToList();
                Add(AuditSeverity.Warning, AuditCheck.SourceAbsent, "", path, $"not here, so not checked (read by {readers.Count} stage(s): {StageGraph.Abbreviate(readers)})");
            }
    }

    private static string Describe(CodeVersion code) =>
        code.Commit is { } commit ? $"commit {commit[..Math.Min(10, commit.Length)]}" : "an unknown commit";

    /// <summary>The SHA-256 of a recorded path's bytes here (not from a cache: a reviewer's copy has none to trust), or null when absent.</summary>
    private string? Hash(string recordedPath)
    {
        if (fileHashes.TryGetValue(recordedPath, out var known)) return known;
        var path = folder.Resolve(recordedPath);
        var hash = File.Exists(path) ? ContentHash.OfFile(path)
            : Directory.Exists(path) ? ContentHash.OfDirectory(path)
            : null;
        fileHashes[recordedPath] = hash;
        return hash;
    }

    private string LockPath(string stageId) => context.Layout.Lock(stageId);

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] + "…" : hash;

    private static string SpecNameOf(LockStatus status) => status.ToString().ToLowerInvariant();

    private void Add(AuditSeverity severity, AuditCheck check, string stage, string file, string message) =>
        findings.Add(new AuditFinding(severity, check, stage, file, message));
}

using Atlas.Pipeline.Provenance;
using Atlas.Store;

namespace Atlas.Stages;

/// <summary>
/// Keeps a stage's previous outputs safe while it reruns, so that a failed run never leaves a finished experiment's
/// outputs changed. Each output file is written atomically, but a stage writes several, and one that throws halfway
/// would otherwise leave some new files beside old ones under a lock that describes neither.
/// <list type="bullet">
/// <item>Before the stage executes, its existing outputs are renamed into <see cref="FolderName"/> inside its stage
/// folder (a rename: cheap, same file system), keeping their paths relative to the experiment folder.</item>
/// <item>On success the lock is written first, then the backup is deleted.</item>
/// <item>On failure the outputs the failed run wrote are deleted and the backup is moved back. When previous outputs
/// were restored under a lock record, that record stays (it describes the restored files again) and the failed run's
/// record goes to <see cref="LastFailureFileName"/>; with nothing restored the failed record is the lock (with no
/// outputs), as before.</item>
/// </list>
/// A process killed mid-run (no <c>finally</c>) leaves the backup behind. <see cref="Recover"/> (called by the next
/// session's Run of the stage, which holds the experiment lock; Plan only reads) then decides deterministically: the backup is moved back when the lock record is
/// <see cref="LockStatus.Succeeded"/>, every backed-up file has the size and SHA-256 the lock records for it, and the
/// stage's current outputs do not all match the lock (the run was interrupted before writing its own lock); in every
/// other case (the lock was rewritten by a finished run, the lock is missing or failed, a backed-up file differs, or the
/// outputs already match) the backup is deleted. Resumable snapshots (<see cref="ArtifactLayout.Checkpoint"/>, run
/// ledgers) are not outputs and are never moved, so a killed run still resumes from its last snapshot.
/// </summary>
public sealed class StageOutputBackup
{
    /// <summary>The hidden folder, inside a stage folder, holding the previous outputs during a run.</summary>
    public const string FolderName = ".outputs-backup";

    /// <summary>The record of the last failed run of a stage whose previous lock was kept (same format as a lock).</summary>
    public const string LastFailureFileName = "last_failure.json";

    private readonly ExperimentContext context;
    private readonly Stage stage;
    private readonly string folder;

    private StageOutputBackup(ExperimentContext context, Stage stage)
    {
        this.context = context;
        this.stage = stage;
        folder = BackupFolder(context, stage.Id);
    }

    /// <summary>The absolute backup folder of <paramref name="stageId"/>.</summary>
    public static string BackupFolder(ExperimentContext context, string stageId) =>
        Path.Combine(context.Absolute(context.Layout.StageDir(stageId)), FolderName);

    /// <summary>Recovers a backup a killed run left (the rule in the class summary), then moves the stage's existing
    /// outputs aside. Call just before the stage executes.</summary>
    public static StageOutputBackup Begin(ExperimentContext context, Stage stage)
    {
        Recover(context, stage);
        var backup = new StageOutputBackup(context, stage);
        foreach (var output in stage.Outputs(context))
        {
            var source = context.Absolute(output);
            if (!File.Exists(source) || backup.BackupPath(output) is not { } target) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(source, target, overwrite: true);
        }
        return backup;
    }

    /// <summary>After a failed run: deletes the outputs it wrote and moves the previous ones back. Returns whether
    /// previous outputs were restored under a lock record, which then stays (the caller writes the failed record to
    /// <see cref="LastFailureFileName"/> instead of over it); with nothing restored the failed record is the lock.</summary>
    public bool RestoreAfterFailure()
    {
        foreach (var output in stage.Outputs(context))
        {
            var path = context.Absolute(output);
            if (File.Exists(path)) File.Delete(path);
        }
        return MoveBack() > 0 && LockStore.Read(StageFolder).Record is not null;
    }

    /// <summary>After the new lock is written: the previous outputs are no longer needed.</summary>
    public void Discard()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    /// <summary>Writes a failed run's record beside the kept lock.</summary>
    public void WriteFailure(LockRecord record) =>
        LockStore.WriteFile(Path.Combine(StageFolder, LastFailureFileName), record);

    /// <summary>
    /// Applies the recovery rule (class summary) to a backup a killed run of <paramref name="stage"/> left behind.
    /// Returns what it did: null when there was no backup, else a line for the log.
    /// </summary>
    public static string? Recover(ExperimentContext context, Stage stage)
    {
        var backup = new StageOutputBackup(context, stage);
        if (!Directory.Exists(backup.folder)) return null;
        var stored = LockStore.Read(backup.StageFolder).Record;
        var saved = Directory.EnumerateFiles(backup.folder, "*", SearchOption.AllDirectories)
            .ToDictionary(file => Path.Combine(context.Layout.ExperimentDir, Path.GetRelativePath(backup.folder, file)), file => file);
        bool restore = stored is { Status: LockStatus.Succeeded }
            && saved.Count > 0
            && saved.All(entry => stored.Outputs.TryGetValue(entry.Key, out var record) && Matches(entry.Value, record))
            && !stored.Outputs.All(entry => Matches(context.Absolute(entry.Key), entry.Value));
        string line;
        if (restore)
        {
            backup.MoveBack();
            line = $"[{stage.Id}] an interrupted run left its previous outputs aside; restored {saved.Count} file(s) its lock describes";
        }
        else
        {
            backup.Discard();
            line = $"[{stage.Id}] removed the previous outputs an interrupted run left aside (the lock does not describe them, or the outputs are complete)";
        }
        context.Log.WriteLine(line);
        return line;
    }

    private string StageFolder => context.Absolute(context.Layout.StageDir(stage.Id));

    /// <summary>Where <paramref name="output"/> (repository-relative) waits, or null for a file outside the experiment
    /// folder (none of the stages writes one; such a file is not moved).</summary>
    private string? BackupPath(string output)
    {
        var relative = Path.GetRelativePath(context.Layout.ExperimentDir, output);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? null : Path.Combine(folder, relative);
    }

    /// <summary>Moves every backed-up file back; returns how many.</summary>
    private int MoveBack()
    {
        if (!Directory.Exists(folder)) return 0;
        int moved = 0;
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var target = context.Absolute(Path.Combine(context.Layout.ExperimentDir, Path.GetRelativePath(folder, file)));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(file, target, overwrite: true);
            moved++;
        }
        Directory.Delete(folder, recursive: true);
        return moved;
    }

    private static bool Matches(string path, OutputRecord record)
    {
        var file = new FileInfo(path);
        return file.Exists && file.Length == record.Size && ContentHash.OfFile(path) == record.Sha256;
    }
}

using Atlas.Pipeline.Provenance;

namespace Atlas.Stages.Audit;

/// <summary>
/// An experiment's artifacts folder where it actually is: <c>artifacts/&lt;experiment&gt;</c> of the repository, or a
/// copy elsewhere (a reviewer's download). Lock records name files by repository-relative paths
/// (<c>artifacts/mini/finetune/mnist/visual.safetensors</c>); this maps those inside the experiment folder to the copy,
/// and leaves the others (data, imported checkpoints) relative to the repository, where they may well be absent.
/// </summary>
public sealed class ArtifactFolder
{
    /// <param name="experimentDir">The layout's repository-relative experiment folder (<see cref="ArtifactLayout.ExperimentDir"/>).</param>
    /// <param name="location">Where that folder is now, absolute or relative to the working directory.</param>
    /// <param name="repositoryRoot">What paths outside the experiment folder are relative to.</param>
    public ArtifactFolder(string experimentDir, string location, string repositoryRoot)
    {
        ExperimentDir = Normalise(experimentDir);
        Location = Path.GetFullPath(location);
        RepositoryRoot = Path.GetFullPath(repositoryRoot);
    }

    /// <summary>The experiment folder for <paramref name="context"/>: its own <c>artifacts/&lt;experiment&gt;</c>, or
    /// <paramref name="copy"/> when given.</summary>
    public static ArtifactFolder Of(ExperimentContext context, string? copy = null) =>
        new(context.Layout.ExperimentDir, copy ?? context.Absolute(context.Layout.ExperimentDir), context.RepositoryRoot);

    /// <summary>Repository-relative experiment folder, with forward slashes (<c>artifacts/mini</c>).</summary>
    public string ExperimentDir { get; }

    /// <summary>Absolute path of the folder (the repository's or the copy).</summary>
    public string Location { get; }

    public string RepositoryRoot { get; }

    /// <summary>Whether a recorded path lies inside the experiment folder (an artifact rather than data or an import).</summary>
    public bool Contains(string recordedPath) => Normalise(recordedPath).StartsWith(ExperimentDir + "/", StringComparison.Ordinal);

    /// <summary>The absolute path a recorded (repository-relative) path has here.</summary>
    public string Resolve(string recordedPath)
    {
        var path = Normalise(recordedPath);
        return Contains(path)
            ? Path.Combine(Location, path[(ExperimentDir.Length + 1)..])
            : Path.Combine(RepositoryRoot, path);
    }

    /// <summary>The absolute folder of a stage here.</summary>
    public string StageDir(string stageId) => Path.Combine(Location, stageId);

    /// <summary>Every stage folder holding a lock record, by stage id (its path below the experiment folder), in ordinal order.</summary>
    public IReadOnlyList<string> StagesWithLocks() =>
        !Directory.Exists(Location) ? [] :
        [
            .. Directory.EnumerateFiles(Location, LockStore.FileName, SearchOption.AllDirectories)
                .Select(file => Normalise(Path.GetRelativePath(Location, Path.GetDirectoryName(file)!)))
                .Where(id => id != ".")
                .Order(StringComparer.Ordinal),
        ];

    /// <summary>The lock record of a stage here (see <see cref="LockStore.Read"/>).</summary>
    public StoredLock ReadLock(string stageId) => LockStore.Read(StageDir(stageId));

    private static string Normalise(string path) => path.Replace('\\', '/').TrimEnd('/');
}

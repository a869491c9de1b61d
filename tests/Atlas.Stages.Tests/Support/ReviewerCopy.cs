using Atlas.Pipeline.Specs;
using Atlas.Stages.Audit;

namespace Atlas.Stages.Tests.Support;

/// <summary>
/// A reviewer's download of a finished experiment: its folder alone, copied to another place, seen from a repository
/// root where the locks' relative data paths lead nowhere (no data). Deleted on dispose.
/// </summary>
internal sealed class ReviewerCopy : IDisposable
{
    private readonly string elsewhere = Path.Combine(Path.GetTempPath(), $"atlas-reviewer-copy-{Guid.NewGuid():N}");

    public ReviewerCopy(TempRepository repository)
    {
        Location = Path.Combine(elsewhere, "download", MicroSpec.Name);
        EmptyRoot = Path.Combine(elsewhere, "a", "b", "c", "d", "e");
        Directory.CreateDirectory(EmptyRoot);
        string from = repository.Absolute(Path.Combine("artifacts", MicroSpec.Name));
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(Location, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        Session = ExperimentSession.Open(repository.SpecPath, new StringWriter(), repository.Root, SpecCheckLevel.GraphOnly);
        Folder = new ArtifactFolder(Session.Context.Layout.ExperimentDir, Location, EmptyRoot);
    }

    /// <summary>The copied experiment folder.</summary>
    public string Location { get; }

    /// <summary>A repository root without data.</summary>
    public string EmptyRoot { get; }

    /// <summary>The spec's graph (no data needed).</summary>
    public ExperimentSession Session { get; }

    /// <summary>The copy as the audit, trace and export read it.</summary>
    public ArtifactFolder Folder { get; }

    public void Dispose()
    {
        Session.Dispose();
        if (Directory.Exists(elsewhere)) Directory.Delete(elsewhere, recursive: true);
    }
}

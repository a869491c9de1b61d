using Atlas.Pipeline.Graph;

namespace Atlas.Stages.Tests.Support;

/// <summary>
/// A fresh repository root under the system temp folder holding only a spec (and what the test writes there); deleted
/// on dispose. All of them are siblings, so the data root's path relative to each is the same, and artifacts copied
/// from one into another keep their lock records valid.
/// </summary>
internal sealed class TempRepository : IDisposable
{
    public const string SpecFile = "micro.yaml";

    public TempRepository(string? specText = null)
    {
        Root = Path.Combine(Path.GetTempPath(), $"atlas-stages-tests-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Root);
        WriteSpec(specText ?? MicroSpec.Text);
    }

    public string Root { get; }

    /// <summary>The spec's path, as given to <see cref="ExperimentSession.Open"/> (and so as it appears in messages).</summary>
    public string SpecPath => Path.Combine(Root, SpecFile);

    public string ArtifactsDir => Path.Combine(Root, "artifacts");

    public void WriteSpec(string text) => File.WriteAllText(SpecPath, text);

    public ExperimentSession Open(TextWriter? log = null) => ExperimentSession.Open(SpecPath, log ?? new StringWriter(), Root);

    public string Absolute(string relativePath) => Path.Combine(Root, relativePath);

    /// <summary>Copies another root's <c>artifacts</c> folder here (the hash cache is per root and is left behind).</summary>
    public void CopyArtifactsFrom(TempRepository other)
    {
        foreach (var file in Directory.EnumerateFiles(other.ArtifactsDir, "*", SearchOption.AllDirectories))
        {
            if (Path.GetFileName(file) == ".hash-cache.json") continue;
            var target = Path.Combine(ArtifactsDir, Path.GetRelativePath(other.ArtifactsDir, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>
    /// Runs every stage in the graph's order, each in its own session as the CLI and the Cake build do (one
    /// <c>atlas run</c> process per stage); returns the ids of the stages that ran (were not skipped).
    /// </summary>
    public List<string> RunAll(TextWriter log, bool force = false)
    {
        List<string> order;
        using (var session = Open(log)) order = session.Graph.TopologicalOrder().Select(node => node.Id).ToList();
        return order.Where(id =>
        {
            using var session = Open(log);
            return session.Run(id, force);
        }).ToList();
    }

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}

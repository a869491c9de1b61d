namespace Atlas.Stages.Imports;

/// <summary>
/// A stage that brings a file the spec names into the graph in place of a stage that would compute it
/// (<see cref="Stage.Replaces"/>): its input is the file, so its lock records the file's SHA-256 and a changed file
/// reruns it and everything downstream; its output is the checked, converted copy where the consumers look
/// (<see cref="ArtifactLayout"/> points them here).
/// </summary>
/// <param name="source">The file as written in the spec (relative to the repository root, or absolute).</param>
public abstract class ImportStage(string source) : Stage
{
    /// <summary>The file as written in the spec.</summary>
    protected string Source { get; } = source;

    public override object Parameters(ExperimentContext context) => new { Source };

    // File to CPU tensors to file: nothing of it touches the device, so a GPU spec runs it unchanged.
    public override bool RunsOnDevice => true;

    public override IReadOnlyList<string> Inputs(ExperimentContext context) => [Source];

    /// <summary>The file's absolute path.</summary>
    protected string SourcePath(ExperimentContext context) => context.Absolute(Source);
}

namespace Atlas.Stages;

/// <summary>
/// One node of the reproduction graph. A stage declares what decides its result (parameters and input files) and
/// what it produces; the runner hashes those into the stage's lock record and skips the stage while they are unchanged.
/// A stage writes only its own outputs, each atomically.
/// </summary>
public abstract class Stage
{
    /// <summary>Unique id, also the artifact folder, e.g. <c>finetune/mnist</c>.</summary>
    public abstract string Id { get; }

    /// <summary>The phase target this stage belongs to (<c>Data</c>, <c>Pretrain</c>, <c>FineTune</c>…).</summary>
    public abstract string Phase { get; }

    public abstract string Description { get; }

    public virtual IReadOnlyList<string> DependsOn => [];

    /// <summary>The id of the stage whose outputs this one provides in its place (an import of a file the spec names
    /// stands in for the stage that would have computed it), or null. The graph points every dependency on that id
    /// here, so the consumers keep declaring what they read, not where it came from.</summary>
    public virtual string? Replaces => null;

    /// <summary>The values that decide the outputs besides the input files (recorded in the lock, diffed on change).</summary>
    public abstract object Parameters(ExperimentContext context);

    /// <summary>Repository-relative files the stage reads.</summary>
    public abstract IReadOnlyList<string> Inputs(ExperimentContext context);

    /// <summary>Repository-relative files the stage writes.</summary>
    public abstract IReadOnlyList<string> Outputs(ExperimentContext context);

    /// <summary>
    /// Whether the stage runs on <see cref="ExperimentContext.Device"/> when that is a GPU: it keeps its weights where
    /// <see cref="ExperimentContext.LoadTensors"/> put them and moves the data it makes to them. A spec asking for a GPU
    /// is refused while the graph has a stage that cannot (<see cref="ExperimentSession.Open"/>).
    /// </summary>
    public virtual bool RunsOnDevice => false;

    /// <summary>
    /// Whether the stage reports its process's resident memory (a cost table's peak, <see cref="ResidentMemory"/>). The
    /// local executor then runs it in a process of its own: a worker that ran other stages before would start it from a
    /// higher baseline that depends on which stages those were (measured on the mini: PEFT's peak 302 MiB alone, 434 MiB
    /// in a worker).
    /// </summary>
    public virtual bool MeasuresProcessMemory => false;

    /// <summary>Computes and writes the outputs.</summary>
    public abstract void Execute(ExperimentContext context, StageRun run);

    /// <summary>This stage's resumable snapshot for a run of <paramref name="steps"/> steps (see
    /// <see cref="ArtifactLayout.Checkpoint"/>).</summary>
    protected Storage.FileCheckpoint Checkpoint(ExperimentContext context, StageRun run, int steps) =>
        new(context.Absolute(context.Layout.Checkpoint(Id)), run.Key, Storage.FileCheckpoint.IntervalFor(steps), context.Log);

    /// <summary>The committed data files of the mini profile's data root: inputs of every stage that reads images (none
    /// without mini sources: the paper's datasets enter through their <see cref="PaperDataStage"/> records).</summary>
    protected static IReadOnlyList<string> DataFiles(ExperimentContext context) => context.Spec.Data.Sources.Count == 0 ? [] :
        Directory.GetFiles(context.Absolute(context.Spec.Data.Root))
            .Where(f => !f.EndsWith(".md", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(context.RepositoryRoot, f))
            .Order(StringComparer.Ordinal)
            .ToList();
}

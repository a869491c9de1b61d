namespace Atlas.Pipeline.Specs;

/// <summary>
/// What the rest of the system can actually provide, filled in by the caller so that this project need not reference
/// the data and model projects. Names are listed in the caller's order in error messages.
/// </summary>
/// <param name="SourceClassCounts">Known source datasets and how many classes (labels) each has.</param>
/// <param name="Transforms">Known image transform names.</param>
/// <param name="Backbones">Known backbone configuration names.</param>
/// <param name="CudaAvailable">Whether this build and machine can run on <see cref="ComputeDevice.Cuda"/>; asked only
/// when a spec names it (the caller may have to load native libraries to answer).</param>
public sealed record SpecContext(
    IReadOnlyDictionary<string, int> SourceClassCounts,
    IReadOnlyList<string> Transforms,
    IReadOnlyList<string> Backbones,
    Func<bool>? CudaAvailable = null)
{
    /// <summary>Checks the files the spec names (a backbone's configuration file, imported checkpoints); null accepts
    /// any path unread (only their syntax and the rules between fields are checked then).</summary>
    public ISpecFileCheck? Files { get; init; }

    /// <summary>Reads what the spec's data can supply (split sizes per class), at <see cref="SpecCheckLevel.Complete"/>;
    /// null checks no size against the data.</summary>
    public ISpecDataCheck? Data { get; init; }

    /// <summary>The paper's datasets a spec may list under <c>data.datasets</c>, by their spec spelling (e.g.
    /// <c>cars</c>, <c>fgvc_aircraft</c>); none by default.</summary>
    public IReadOnlyDictionary<string, PaperDatasetText> PaperDatasets { get; init; } = new Dictionary<string, PaperDatasetText>();

    /// <summary>The stage families a spec may name (the first segment of a stage id, e.g. <c>finetune</c>), for the
    /// per-family Slurm resources; empty accepts any name.</summary>
    public IReadOnlyList<string> StageFamilies { get; init; } = [];

    /// <summary>Whether the spec must find everything a run needs or only what planning needs.</summary>
    public SpecCheckLevel Level { get; init; } = SpecCheckLevel.Complete;

    /// <summary>The value of an environment variable, or null when it is unset: what <c>${NAME}</c> in a scalar value
    /// stands for. The process environment by default; tests pass their own.</summary>
    public Func<string, string?> Variables { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Receives each warning line (at <see cref="SpecCheckLevel.GraphOnly"/>: the variables left unset);
    /// null drops them.</summary>
    public Action<string>? Warn { get; init; }
}

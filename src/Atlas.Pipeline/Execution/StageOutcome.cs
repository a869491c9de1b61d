namespace Atlas.Pipeline.Execution;

/// <summary>How one stage of a parallel run ended.</summary>
public enum StageOutcome
{
    /// <summary>The stage ran and succeeded.</summary>
    Succeeded,

    /// <summary>The stage's process found it up to date after all (its upstream reran to the same outputs) and did nothing.</summary>
    UpToDate,

    /// <summary>The stage failed (its process exited non-zero).</summary>
    Failed,

    /// <summary>The stage was running when the run was interrupted, and was stopped.</summary>
    Cancelled,

    /// <summary>The stage never started: a stage it depends on failed, or the run was interrupted first.</summary>
    NotStarted,
}

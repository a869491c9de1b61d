namespace Atlas.Stages.Execution.Slurm;

/// <summary>A batch job's state as <c>squeue</c>/<c>scontrol</c> name it (Slurm's <c>JobState</c>), reduced to what the
/// executor acts on; the states it does not list read as <see cref="Other"/>.</summary>
public enum SlurmJobState
{
    /// <summary>Queued: waiting for resources or for its dependencies.</summary>
    Pending,

    /// <summary>Allocated and running (CONFIGURING, RUNNING, COMPLETING, SUSPENDED and the like).</summary>
    Running,

    /// <summary>Finished with exit code 0.</summary>
    Completed,

    /// <summary>Finished with a non-zero exit code, or ended by the system (FAILED, TIMEOUT, OUT_OF_MEMORY, NODE_FAIL,
    /// BOOT_FAIL, DEADLINE, PREEMPTED).</summary>
    Failed,

    /// <summary>Cancelled: by a user or, with <c>--kill-on-invalid-dep=yes</c>, because a dependency failed.</summary>
    Cancelled,

    /// <summary>No longer known to the controller (its record aged out: <c>MinJobAge</c>), or a state not listed here.</summary>
    Other,
}

/// <summary>Reading Slurm's state names.</summary>
public static class SlurmJobStates
{
    /// <summary>The state named <paramref name="name"/> (e.g. <c>RUNNING</c>; a trailing <c>+</c> or a reason after a space
    /// is ignored, as <c>CANCELLED by 0</c>).</summary>
    public static SlurmJobState Parse(string name)
    {
        string state = name.Trim().Split(' ')[0].TrimEnd('+');
        return state switch
        {
            "PENDING" or "REQUEUED" or "REQUEUE_HOLD" or "REQUEUE_FED" or "RESV_DEL_HOLD" => SlurmJobState.Pending,
            "CONFIGURING" or "RUNNING" or "COMPLETING" or "SUSPENDED" or "STOPPED" or "RESIZING" or "SIGNALING" or "STAGE_OUT" => SlurmJobState.Running,
            "COMPLETED" => SlurmJobState.Completed,
            "FAILED" or "TIMEOUT" or "OUT_OF_MEMORY" or "NODE_FAIL" or "BOOT_FAIL" or "DEADLINE" or "PREEMPTED" or "SPECIAL_EXIT" => SlurmJobState.Failed,
            "CANCELLED" or "REVOKED" => SlurmJobState.Cancelled,
            _ => SlurmJobState.Other,
        };
    }

    /// <summary>Whether the job may still run (pending or running): a new submission depends on it instead of
    /// submitting its stage again.</summary>
    public static bool IsActive(this SlurmJobState state) => state is SlurmJobState.Pending or SlurmJobState.Running;
}

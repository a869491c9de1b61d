namespace Atlas.Testing;

/// <summary>A Slurm job's <c>JobState</c> as <c>scontrol show job</c> prints it (Slurm 22.05's names).</summary>
public enum SlurmJobState
{
    /// <summary>A state name this enum does not know; the record keeps the text.</summary>
    Other,
    Pending,
    Configuring,
    Running,
    Suspended,
    Completing,
    Requeued,
    Completed,
    Failed,
    Cancelled,
    Timeout,
    OutOfMemory,
    NodeFail,
    Preempted,
    BootFail,
    Deadline,
}

/// <summary>Parsing and classifying <see cref="SlurmJobState"/>.</summary>
public static class SlurmJobStates
{
    private static readonly Dictionary<string, SlurmJobState> ByName = new(StringComparer.Ordinal)
    {
        ["PENDING"] = SlurmJobState.Pending,
        ["CONFIGURING"] = SlurmJobState.Configuring,
        ["RUNNING"] = SlurmJobState.Running,
        ["SUSPENDED"] = SlurmJobState.Suspended,
        ["COMPLETING"] = SlurmJobState.Completing,
        ["REQUEUED"] = SlurmJobState.Requeued,
        ["COMPLETED"] = SlurmJobState.Completed,
        ["FAILED"] = SlurmJobState.Failed,
        ["CANCELLED"] = SlurmJobState.Cancelled,
        ["TIMEOUT"] = SlurmJobState.Timeout,
        ["OUT_OF_MEMORY"] = SlurmJobState.OutOfMemory,
        ["NODE_FAIL"] = SlurmJobState.NodeFail,
        ["PREEMPTED"] = SlurmJobState.Preempted,
        ["BOOT_FAIL"] = SlurmJobState.BootFail,
        ["DEADLINE"] = SlurmJobState.Deadline,
    };

    /// <summary>The state for Slurm's name (e.g. <c>OUT_OF_MEMORY</c>); <see cref="SlurmJobState.Other"/> for any other.</summary>
    public static SlurmJobState Parse(string name) => ByName.GetValueOrDefault(name, SlurmJobState.Other);

    /// <summary>Whether the job has ended for good: it will not run (again) without someone resubmitting it.</summary>
    public static bool IsFinal(this SlurmJobState state) => state is SlurmJobState.Completed or SlurmJobState.Failed
        or SlurmJobState.Cancelled or SlurmJobState.Timeout or SlurmJobState.OutOfMemory or SlurmJobState.NodeFail
        or SlurmJobState.Preempted or SlurmJobState.BootFail or SlurmJobState.Deadline;
}

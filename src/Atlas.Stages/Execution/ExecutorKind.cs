namespace Atlas.Stages.Execution;

/// <summary>Where <c>atlas execute</c> runs the stale stages.</summary>
public enum ExecutorKind
{
    /// <summary>On this machine, <c>--jobs</c> stage processes at once (<see cref="LocalExecution"/>).</summary>
    Local,

    /// <summary>As Slurm batch jobs linked by their dependencies (<see cref="Slurm.SlurmExecution"/>); the repository and
    /// its artifacts folder must be on a filesystem every node shares.</summary>
    Slurm,
}

namespace Atlas.Testing;

/// <summary>Slurm cannot be used here: not installed and not installable, or a daemon did not come up. Says why.</summary>
public sealed class SlurmUnavailableException(string message) : Exception(message);

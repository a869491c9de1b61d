namespace Atlas.Pipeline.Provenance;

/// <summary>What <see cref="LockStore.Read"/> found in a stage folder.</summary>
/// <param name="Record">The lock record; null when there is none or it is unreadable.</param>
/// <param name="Problem">Why an existing lock file could not be used; null otherwise.</param>
public sealed record StoredLock(LockRecord? Record, string? Problem)
{
    /// <summary>No lock file: the stage never ran (or was cleaned).</summary>
    public static StoredLock Missing { get; } = new(null, null);
}

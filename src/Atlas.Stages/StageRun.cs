namespace Atlas.Stages;

/// <summary>
/// One execution of a stage: its own seed, and the key of everything that decides its result (parameter and input
/// hashes). A resumable snapshot is only resumed by a run with the same key.
/// </summary>
public sealed record StageRun(long Seed, string Key);

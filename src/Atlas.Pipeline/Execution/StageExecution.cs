namespace Atlas.Pipeline.Execution;

/// <summary>One stage of a parallel run: how it ended, when it started and how long it took.</summary>
/// <param name="Id">The stage id.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Started">When it started, relative to the run's start; null when it never started.</param>
/// <param name="Duration">How long it ran (zero when it never started).</param>
/// <param name="BlockedBy">For <see cref="StageOutcome.NotStarted"/> after a failure: the failed stage upstream.</param>
public sealed record StageExecution(string Id, StageOutcome Outcome, TimeSpan? Started, TimeSpan Duration, string? BlockedBy = null);

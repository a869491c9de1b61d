namespace Atlas.Training;

/// <summary>The training loss after one optimizer step, kept in a run's history for its report.</summary>
public sealed record LossPoint(long Step, double Loss, double Lr);

namespace Atlas.Method.GradientFree;

/// <summary>Outcome of a derivative-free minimisation.</summary>
/// <param name="Best">The best point evaluated (a fresh array the caller owns).</param>
/// <param name="BestValue">The objective at <paramref name="Best"/>.</param>
/// <param name="Trace">Every evaluation in order; its length is the budget.</param>
/// <param name="FinalStepSize">σ after the last evaluation.</param>
public sealed record MinimizationResult(double[] Best, double BestValue, IReadOnlyList<ObjectiveEvaluation> Trace, double FinalStepSize);

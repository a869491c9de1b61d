namespace Atlas.Method.GradientFree;

/// <summary>One call of the objective during a derivative-free minimisation.</summary>
/// <param name="Index">0-based position in the sequence of evaluations (0 is the start point).</param>
/// <param name="Point">The point evaluated (a copy; the objective's own array may have been changed by it).</param>
/// <param name="Value">What the objective returned (NaN kept as returned).</param>
/// <param name="StepSize">The mutation step size σ that produced <paramref name="Point"/> (the initial, capped step for
/// the start point).</param>
/// <param name="Accepted">Whether the point became the new parent (the start point always does).</param>
public sealed record ObjectiveEvaluation(int Index, IReadOnlyList<double> Point, double Value, double StepSize, bool Accepted);

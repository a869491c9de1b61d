namespace Atlas.Training.Selection;

/// <summary>What a validation pass says about the weights at the end of an epoch.</summary>
/// <param name="Score">Higher is better (negate a quantity to be minimised).</param>
/// <param name="Admissible">Whether these weights may be kept at all (task negation: the control constraint holds).</param>
/// <param name="Stop">Whether to end training after this epoch (task negation stops once the constraint breaks).</param>
/// <param name="Metrics">Named validation figures recorded for the report (accuracies in percent).</param>
public sealed record EpochVerdict(double Score, bool Admissible, bool Stop, IReadOnlyDictionary<string, double> Metrics);

namespace Atlas.Stages.Composition;

/// <summary>Accuracy (%) of a composed model on one task; normalised values are divided by the fine-tuned model's.</summary>
public sealed record TaskScore(string Task, double Val, double Test, double NormalizedVal, double NormalizedTest);

/// <summary>One value of a searched grid and its validation score (none where the value broke a constraint).</summary>
public sealed record GridPoint(double Value, double? Score, bool Admissible, IReadOnlyDictionary<string, double> Metrics);

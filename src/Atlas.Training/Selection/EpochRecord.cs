namespace Atlas.Training.Selection;

/// <summary>One row of a selection trace: epoch 0 is the starting point, scored before any step.</summary>
/// <param name="Epoch">Epochs completed.</param>
/// <param name="Step">Optimizer steps completed.</param>
/// <param name="Score">The verdict's score.</param>
/// <param name="Admissible">Whether the weights satisfied the constraint.</param>
/// <param name="Improved">Whether they became the best so far.</param>
/// <param name="Metrics">The verdict's validation figures.</param>
public sealed record EpochRecord(int Epoch, long Step, double Score, bool Admissible, bool Improved, IReadOnlyDictionary<string, double> Metrics);

namespace Atlas.Data;

/// <summary>How the committed images were chosen from the origin files.</summary>
/// <param name="Rule">The rule in words, precise enough to re-derive the subset.</param>
/// <param name="Seed">Seed of the <see cref="DeterministicRng"/> used, or null when nothing was drawn.</param>
/// <param name="CountsPerClass">Images kept per class, indexed by label.</param>
public sealed record SubsetSelection(string Rule, ulong? Seed, IReadOnlyList<int> CountsPerClass);

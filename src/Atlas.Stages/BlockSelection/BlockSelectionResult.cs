namespace Atlas.Stages.BlockSelection;

/// <summary>aTLAS learned on one selection of blocks.</summary>
/// <param name="Strategy">A <see cref="Pipeline.Specs.BlockSelectionStrategy"/> spec name, or <c>full_pool</c>.</param>
/// <param name="Budget">n, the task vectors' worth of blocks learned on (the pool size for the full pool).</param>
/// <param name="Sources">Per mixed task vector, the source task of each block in canonical block order (whole-vector
/// selection repeats one task along a row).</param>
/// <param name="KeptEpoch">The epoch with the best validation accuracy (0: Λ = 0).</param>
/// <param name="TestAccuracy">Top-1 accuracy (%) on the test split.</param>
/// <param name="TaskVectorMiB">The float32 task-vector stacks learned on: n × the tower's parameters × 4 bytes.</param>
/// <param name="MedianStepMs">Median wall time of one training step.</param>
/// <param name="PeakAboveStartMiB">Peak resident memory added by building the selected vectors and training on them.</param>
public sealed record BlockSelectionRun(
    string Strategy, int Budget, IReadOnlyList<IReadOnlyList<string>> Sources, int KeptEpoch, double TestAccuracy,
    double TaskVectorMiB, double MedianStepMs, double? PeakAboveStartMiB);

/// <summary>One k-shot draw: the informativeness pass over the full pool and aTLAS on every selection.</summary>
/// <param name="Positions">The k-shot images: positions in the target's train partition.</param>
/// <param name="Informativeness">I [T, P]: |Σ ∂L/∂Λ| at Λ = 0 per pool task (rows, in pool order) and block (canonical
/// order), the ranking every selection follows.</param>
/// <param name="PassMs">Wall time of the informativeness pass (one backward per batch, no update).</param>
/// <param name="PassPeakAboveStartMiB">Peak resident memory the pass added.</param>
public sealed record BlockSelectionDraw(
    int Draw, ulong Seed, IReadOnlyList<int> Positions, IReadOnlyList<IReadOnlyList<double>> Informativeness, double PassMs, double? PassPeakAboveStartMiB, IReadOnlyList<BlockSelectionRun> Runs);

/// <summary>Every block-selection draw of one target.</summary>
public sealed record BlockSelectionResult(string Target, IReadOnlyList<string> Pool, int Shots, double ZeroShotTest, IReadOnlyList<BlockSelectionDraw> Draws);

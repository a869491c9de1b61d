using Atlas.Pipeline.Specs;

namespace Atlas.Stages.TestTime;

/// <summary>Test-time adaptation of one target: zero-shot and adapted test accuracy (%) per objective, with what each
/// objective did (SAR's resets, UFM's trusted sets).</summary>
/// <param name="Steps">Steps of the entropy and SAR objectives (⌊N / B⌋ per epoch).</param>
/// <param name="UfmSteps">Steps of UFM (⌊(N − C·k) / (B − t)⌋ per epoch).</param>
/// <param name="UfmTrustedPerClass">k.</param>
/// <param name="UfmTrustedImages">The size of every epoch's trusted set.</param>
/// <param name="UfmTrustedCorrect">How many of every epoch's trusted pseudo-labels are right (read from the test labels
/// after the fact; the objective never sees them).</param>
public sealed record TestTimeResult(
    string Target,
    IReadOnlyList<string> Pool,
    double ZeroShot,
    IReadOnlyDictionary<TestTimeObjective, double> Accuracy,
    int Steps,
    int SarResets,
    int SarSkippedSteps,
    int UfmSteps,
    int UfmTrustedPerClass,
    IReadOnlyList<int> UfmTrustedImages,
    IReadOnlyList<int> UfmTrustedCorrect);

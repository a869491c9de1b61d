using Atlas.Pipeline.Specs;

namespace Atlas.Stages.TestTime;

/// <summary>Test-time adaptation of one target: zero-shot and adapted test accuracy (%) per objective, with what each
/// objective did (SAR's resets, UFM's trusted set).</summary>
public sealed record TestTimeResult(
    string Target,
    IReadOnlyList<string> Pool,
    double ZeroShot,
    IReadOnlyDictionary<TestTimeObjective, double> Accuracy,
    int Steps,
    int SarResets,
    int SarSkippedSteps,
    int UfmTrustedImages,
    int UfmTrustedPerClass);

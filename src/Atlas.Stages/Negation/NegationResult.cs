using Atlas.Stages.Composition;
using Atlas.Training.Selection;

namespace Atlas.Stages.Negation;

/// <summary>Target and control accuracy (%) of one negated model on val and test.</summary>
public sealed record NegationScore(double TargetVal, double ControlVal, double TargetTest, double ControlTest);

/// <summary>What a task-negation stage found for one target: zero-shot, task arithmetic and aTLAS.</summary>
public sealed record NegationResult(
    string Target,
    string Control,
    double ControlThresholdVal,
    NegationScore ZeroShot,
    double Alpha,
    NegationScore TaskArithmetic,
    IReadOnlyList<GridPoint> AlphaGrid,
    int AtlasBestEpoch,
    NegationScore Atlas,
    IReadOnlyList<EpochRecord> Epochs,
    IReadOnlyList<Atlas.Training.LossPoint> History);

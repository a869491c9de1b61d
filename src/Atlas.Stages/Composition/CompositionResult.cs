using Atlas.Pipeline.Specs;
using Atlas.Training.Selection;

namespace Atlas.Stages.Composition;

/// <summary>Accuracy (%) of a composed model on one task; normalised values are divided by the fine-tuned model's.</summary>
public sealed record TaskScore(string Task, double Val, double Test, double NormalizedVal, double NormalizedTest);

/// <summary>One value of a searched grid and its validation score (none where the value broke a constraint).</summary>
public sealed record GridPoint(double Value, double? Score, bool Admissible, IReadOnlyDictionary<string, double> Metrics);

/// <summary>
/// What a task-addition stage found: per-task accuracies of the merged model, how its hyper-parameter or coefficients
/// were chosen (a grid trace or an epoch trace), and the loss history of learned methods.
/// </summary>
public sealed record AdditionResult(
    CompositionMethod Method,
    string Selection,
    IReadOnlyList<TaskScore> Tasks,
    IReadOnlyList<GridPoint>? Grid,
    IReadOnlyList<EpochRecord>? Epochs,
    IReadOnlyList<Atlas.Training.LossPoint>? History)
{
    public double MeanTest => Tasks.Average(t => t.Test);
    public double MeanNormalizedTest => Tasks.Average(t => t.NormalizedTest);
}

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

using Atlas.Pipeline.Specs;
using Atlas.Stages.Composition;
using Atlas.Training.Selection;

namespace Atlas.Stages.Addition;

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

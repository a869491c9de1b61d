using Atlas.Training.Selection;
using static TorchSharp.torch;

namespace Atlas.Training;

/// <summary>
/// Everything a training loop needs to continue exactly where it stopped: the number of finished steps, the trained
/// tensors, the optimizer state and the loss history. Batches and augmentation are functions of (seed, step), so
/// nothing else is needed for a resumed run to be bit-identical to an uninterrupted one. A loop with per-epoch model
/// selection also carries the selection's state.
/// </summary>
public sealed record TrainingSnapshot(
    long CompletedSteps,
    IReadOnlyDictionary<string, Tensor> Parameters,
    IReadOnlyDictionary<string, Tensor> OptimizerState,
    IReadOnlyList<LossPoint> History,
    SelectionState? Selection = null);

using static TorchSharp.torch;

namespace Atlas.Training.Selection;

/// <summary>An <see cref="EpochSelection"/>'s progress, as stored in a training snapshot.</summary>
public sealed record SelectionState(
    int BestEpoch, double BestScore, IReadOnlyDictionary<string, Tensor> BestWeights, IReadOnlyList<EpochRecord> Records, bool Stopped);

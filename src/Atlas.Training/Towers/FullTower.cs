using static TorchSharp.torch;

namespace Atlas.Training.Towers;

/// <summary>Full fine-tuning: every image-tower tensor is trained, starting at <paramref name="pretrained"/>.</summary>
/// <param name="pretrained">θ0 of the image tower (not modified).</param>
public sealed class FullTower(IReadOnlyDictionary<string, Tensor> pretrained) : ITowerParameterization
{
    public long TrainableCount { get; } = pretrained.Values.Sum(t => t.numel());

    public IReadOnlyDictionary<string, Tensor> Initial() => pretrained;

    public IReadOnlyDictionary<string, Tensor> Weights(IReadOnlyDictionary<string, Tensor> trained) => trained;
}

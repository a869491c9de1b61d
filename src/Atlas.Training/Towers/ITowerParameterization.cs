using static TorchSharp.torch;

namespace Atlas.Training.Towers;

/// <summary>
/// The image tower's weights as a function of a set of trained tensors: all of them (full fine-tuning), LoRA pairs on
/// frozen weights, or coefficients Λ over frozen task vectors. The training loop trains only the named tensors this
/// returns from <see cref="Initial"/>, so the three methods share one loop, one loss and one model selection.
/// </summary>
public interface ITowerParameterization
{
    /// <summary>The trained tensors' starting values, by name; the loop trains copies and leaves these unmodified.</summary>
    IReadOnlyDictionary<string, Tensor> Initial();

    /// <summary>The image-tower weights for the trained tensors; differentiable with respect to them.</summary>
    IReadOnlyDictionary<string, Tensor> Weights(IReadOnlyDictionary<string, Tensor> trained);

    /// <summary>Number of trained scalars (the "learnable parameters" column of a PEFT table).</summary>
    long TrainableCount { get; }
}

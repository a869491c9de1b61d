using Atlas.Method.Lora;
using static TorchSharp.torch;

namespace Atlas.Training.Towers;

/// <summary>
/// LoRA fine-tuning (docs/method.md §M6): θ0 stays frozen and every target matrix W becomes W + (α/r)·B·A inside the forward;
/// only the pairs A, B are trained, B starting at 0 so training starts from the pretrained tower exactly.
/// </summary>
/// <param name="pretrained">θ0 of the image tower (not modified).</param>
/// <param name="rank">r.</param>
/// <param name="alpha">α.</param>
/// <param name="seed">Seed of the draws of every A.</param>
/// <param name="targets">The adapted matrices; defaults to <see cref="LoraAdapters.DefaultTargets"/> of θ0.</param>
public sealed class LoraTower(IReadOnlyDictionary<string, Tensor> pretrained, int rank, double alpha, long seed, IReadOnlyList<string>? targets = null)
    : ITowerParameterization
{
    public long TrainableCount { get; } = LoraAdapters.ParameterCount(pretrained, rank, targets);

    public IReadOnlyDictionary<string, Tensor> Initial() => LoraAdapters.Initialize(pretrained, rank, seed, targets);

    public IReadOnlyDictionary<string, Tensor> Weights(IReadOnlyDictionary<string, Tensor> trained) =>
        LoraAdapters.Merge(pretrained, trained, alpha, rank);
}

using static TorchSharp.torch;

namespace Atlas.Models;

/// <summary>Name-keyed weight lookup with an error that says which tensor is missing.</summary>
internal static class WeightAccess
{
    internal static Tensor Get(IReadOnlyDictionary<string, Tensor> weights, string name) =>
        weights.TryGetValue(name, out var tensor)
            ? tensor
            : throw new KeyNotFoundException($"CLIP weight '{name}' is missing from the weight dictionary.");

    /// <summary>LayerNorm over the last dimension with the <c>{name}.weight</c> / <c>{name}.bias</c> affine (eps 1e-5).</summary>
    internal static Tensor LayerNorm(Tensor x, IReadOnlyDictionary<string, Tensor> weights, string name) =>
        nn.functional.layer_norm(x, [x.shape[^1]], Get(weights, name + ".weight"), Get(weights, name + ".bias"), eps: 1e-5);
}

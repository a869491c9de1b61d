using static TorchSharp.torch;

namespace Atlas.Method.Composition;

/// <summary>Formatting and checks shared by the composition types.</summary>
internal static class Shapes
{
    internal static string Format(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";

    internal static bool Same(IEnumerable<long> a, IEnumerable<long> b) => a.SequenceEqual(b);

    /// <summary>Moves every tensor of <paramref name="tensors"/> to the dispose scope outside the current one.</summary>
    internal static Dictionary<string, Tensor> MoveToOuter(Dictionary<string, Tensor> tensors)
    {
        foreach (var tensor in tensors.Values) tensor.MoveToOuterDisposeScope();
        return tensors;
    }
}

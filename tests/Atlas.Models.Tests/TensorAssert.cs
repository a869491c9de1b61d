using static TorchSharp.torch;

namespace Atlas.Models.Tests;

internal static class TensorAssert
{
    /// <summary>Same shape and bitwise-equal values (TorchSharp's <c>equal</c> is element-wise).</summary>
    public static bool Identical(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
    }
}

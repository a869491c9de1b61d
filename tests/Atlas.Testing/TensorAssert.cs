using static TorchSharp.torch;

namespace Atlas.Testing;

/// <summary>
/// Tensor comparison for the test projects that use TorchSharp. Projects that never touch this class never load
/// TorchSharp (Atlas.Testing references it privately: it does not flow to them).
/// </summary>
public static class TensorAssert
{
    /// <summary>Same dtype, shape and bitwise-equal values (TorchSharp's <c>equal</c> is element-wise).</summary>
    public static bool Identical(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
    }
}

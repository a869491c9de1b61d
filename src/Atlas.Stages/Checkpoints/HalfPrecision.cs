using static TorchSharp.torch;

namespace Atlas.Stages.Checkpoints;

/// <summary>
/// Converts stored 16-bit floats to fp32 from their bits, so the values do not depend on libtorch's casts: bfloat16 is
/// the upper half of an IEEE float32 (shift left by 16); fp16 goes through .NET's <see cref="Half"/> (exact: every fp16
/// value, subnormals included, is a float32).
/// </summary>
public static class HalfPrecision
{
    /// <summary>A new fp32 tensor with the values of <paramref name="stored"/> (F16, BF16 or F32).</summary>
    public static Tensor ToFloat32(Tensor stored)
    {
        if (stored.dtype == ScalarType.Float32) return stored.clone();
        if (stored.dtype is not (ScalarType.Float16 or ScalarType.BFloat16))
            throw new ArgumentException($"HalfPrecision: {stored.dtype} is not a 16-bit float", nameof(stored));
        using var contiguous = stored.contiguous();
        var bits = new ushort[contiguous.NumberOfElements];
        contiguous.bytes.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(bits.AsSpan()));
        var values = new float[bits.Length];
        if (stored.dtype == ScalarType.BFloat16)
            for (int i = 0; i < bits.Length; i++) values[i] = BitConverter.Int32BitsToSingle(bits[i] << 16);
        else
            for (int i = 0; i < bits.Length; i++) values[i] = (float)BitConverter.UInt16BitsToHalf(bits[i]);
        return tensor(values).reshape(stored.shape);
    }
}

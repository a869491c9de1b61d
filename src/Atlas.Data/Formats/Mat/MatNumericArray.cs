namespace Atlas.Data.Formats.Mat;

/// <summary>
/// A numeric (or logical) MAT array. Its values are held column-major in an array of the element type of
/// <see cref="MatArray.Class"/> (<c>double[]</c> for <see cref="MatClass.Double"/>, <c>byte[]</c> for
/// <see cref="MatClass.UInt8"/>, ...), converted from whatever smaller type the file stored them in (MATLAB often stores
/// a double array's integral values as <c>miUINT8</c>).
/// </summary>
public sealed class MatNumericArray : MatArray
{
    /// <summary>Wraps the column-major <paramref name="real"/> (and <paramref name="imaginary"/>) values.</summary>
    public MatNumericArray(string name, IReadOnlyList<int> dimensions, MatClass matClass, Array real, Array? imaginary, bool isLogical)
        : base(name, dimensions)
    {
        if (real.Length != Count)
        {
            throw new ArgumentException($"'{name}' has {Count} elements but {real.Length} values.", nameof(real));
        }
        Class = matClass;
        Real = real;
        Imaginary = imaginary;
        IsLogical = isLogical;
    }

    /// <inheritdoc />
    public override MatClass Class { get; }

    /// <summary>The real parts, column-major, typed by <see cref="Class"/>.</summary>
    public Array Real { get; }

    /// <summary>The imaginary parts of a complex array; null otherwise.</summary>
    public Array? Imaginary { get; }

    /// <summary>Whether MATLAB marked the array logical (its class is then <see cref="MatClass.UInt8"/>).</summary>
    public bool IsLogical { get; }

    /// <summary>The real part of the element at column-major position <paramref name="columnMajorIndex"/>, as a double.</summary>
    public double GetDouble(int columnMajorIndex) => Real switch
    {
        double[] a => a[columnMajorIndex],
        float[] a => a[columnMajorIndex],
        sbyte[] a => a[columnMajorIndex],
        byte[] a => a[columnMajorIndex],
        short[] a => a[columnMajorIndex],
        ushort[] a => a[columnMajorIndex],
        int[] a => a[columnMajorIndex],
        uint[] a => a[columnMajorIndex],
        long[] a => a[columnMajorIndex],
        ulong[] a => a[columnMajorIndex],
        _ => throw new InvalidOperationException($"Unexpected storage {Real.GetType()} for {Describe()}."),
    };

    /// <summary>
    /// The values as integers, column-major (for 1×n and n×1 vectors that is simply their order). Throws
    /// <see cref="InvalidDataException"/> naming the array if a value is not an integer (labels and ids must be).
    /// </summary>
    public long[] ToInt64()
    {
        if (Imaginary is not null)
        {
            throw new InvalidDataException($"{Describe()} is complex; integers were expected.");
        }
        var values = new long[Count];
        for (int i = 0; i < Count; i++)
        {
            if (Real is ulong[] u)
            {
                values[i] = checked((long)u[i]);
                continue;
            }
            if (Real is long[] l)
            {
                values[i] = l[i];
                continue;
            }
            double v = GetDouble(i);
            if (v != Math.Floor(v) || double.IsInfinity(v) || Math.Abs(v) > 9.007199254740992e15)
            {
                throw new InvalidDataException($"{Describe()} element {i} is {v}, not an integer.");
            }
            values[i] = (long)v;
        }
        return values;
    }

    /// <summary>The real values in row-major (C) order, same element type as <see cref="Real"/>.</summary>
    public Array ToRowMajor()
    {
        int[] map = RowMajorToColumnMajorMap();
        Array result = Array.CreateInstance(Real.GetType().GetElementType()!, Count);
        for (int k = 0; k < map.Length; k++)
        {
            result.SetValue(Real.GetValue(map[k]), k);
        }
        return result;
    }
}

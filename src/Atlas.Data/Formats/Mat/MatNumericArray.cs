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
    public double GetDouble(int columnMajorIndex) => Class switch
    {
        // Switch on the class, not the array type: the runtime lets a byte[] pass as sbyte[] (and uint[] as int[], ...).
        MatClass.Double => ((double[])Real)[columnMajorIndex],
        MatClass.Single => ((float[])Real)[columnMajorIndex],
        MatClass.Int8 => ((sbyte[])Real)[columnMajorIndex],
        MatClass.UInt8 => ((byte[])Real)[columnMajorIndex],
        MatClass.Int16 => ((short[])Real)[columnMajorIndex],
        MatClass.UInt16 => ((ushort[])Real)[columnMajorIndex],
        MatClass.Int32 => ((int[])Real)[columnMajorIndex],
        MatClass.UInt32 => ((uint[])Real)[columnMajorIndex],
        MatClass.Int64 => ((long[])Real)[columnMajorIndex],
        MatClass.UInt64 => ((ulong[])Real)[columnMajorIndex],
        _ => throw new InvalidOperationException($"Unexpected class of {Describe()}."),
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
            if (Class == MatClass.UInt64)
            {
                values[i] = checked((long)((ulong[])Real)[i]);
                continue;
            }
            if (Class == MatClass.Int64)
            {
                values[i] = ((long[])Real)[i];
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

namespace Atlas.Data.Formats.Mat;

/// <summary>
/// One array of a MAT v5 file: a top-level variable, a cell's content or a struct field's value. MATLAB arrays are
/// at least two-dimensional and stored column-major (first index fastest); <see cref="Dimensions"/> are MATLAB's.
/// </summary>
public abstract class MatArray
{
    /// <summary>Sets the shared parts.</summary>
    protected MatArray(string name, IReadOnlyList<int> dimensions)
    {
        Name = name;
        Dimensions = dimensions.ToArray();
        long count = 1;
        foreach (int d in Dimensions)
        {
            count *= d;
        }
        Count = checked((int)count);
    }

    /// <summary>The variable's name; empty for cells and struct fields.</summary>
    public string Name { get; }

    /// <summary>MATLAB's dimensions (rows, columns, pages...), at least two.</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>The number of elements: the product of <see cref="Dimensions"/>.</summary>
    public int Count { get; }

    /// <summary>The array's class.</summary>
    public abstract MatClass Class { get; }

    /// <summary>
    /// The column-major (MATLAB) linear index of the element at <paramref name="index"/> (zero-based subscripts, one per
    /// dimension; trailing subscripts may be left out and count as 0).
    /// </summary>
    public int ColumnMajorIndex(params int[] index)
    {
        if (index.Length > Dimensions.Count)
        {
            throw new ArgumentException($"'{Name}' has {Dimensions.Count} dimensions, got {index.Length} subscripts.", nameof(index));
        }
        int linear = 0;
        int stride = 1;
        for (int d = 0; d < Dimensions.Count; d++)
        {
            int i = d < index.Length ? index[d] : 0;
            if ((uint)i >= (uint)Dimensions[d])
            {
                throw new ArgumentOutOfRangeException(nameof(index), $"Subscript {i} of dimension {d} is outside '{Name}' [{string.Join("×", Dimensions)}].");
            }
            linear += i * stride;
            stride *= Dimensions[d];
        }
        return linear;
    }

    /// <summary>
    /// For each row-major position (last index fastest, as numpy's C order), the column-major position it comes from:
    /// <c>rowMajor[k] = columnMajor[map[k]]</c>.
    /// </summary>
    public int[] RowMajorToColumnMajorMap()
    {
        int rank = Dimensions.Count;
        var map = new int[Count];
        var subscript = new int[rank];
        var strides = new int[rank];
        int stride = 1;
        for (int d = 0; d < rank; d++)
        {
            strides[d] = stride;
            stride *= Dimensions[d];
        }
        int columnMajor = 0;
        for (int k = 0; k < Count; k++)
        {
            map[k] = columnMajor;
            for (int d = rank - 1; d >= 0; d--)
            {
                subscript[d]++;
                columnMajor += strides[d];
                if (subscript[d] < Dimensions[d]) break;
                columnMajor -= subscript[d] * strides[d];
                subscript[d] = 0;
            }
        }
        return map;
    }

    /// <summary>A short description for error messages, e.g. <c>'labels' (Double 1×8189)</c>.</summary>
    public string Describe() => $"'{Name}' ({Class} {string.Join("×", Dimensions)})";
}

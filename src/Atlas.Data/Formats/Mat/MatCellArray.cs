namespace Atlas.Data.Formats.Mat;

/// <summary>A MATLAB cell array: one array per cell, column-major.</summary>
public sealed class MatCellArray : MatArray
{
    /// <summary>Wraps the column-major <paramref name="cells"/>.</summary>
    public MatCellArray(string name, IReadOnlyList<int> dimensions, IReadOnlyList<MatArray> cells)
        : base(name, dimensions)
    {
        if (cells.Count != Count)
        {
            throw new ArgumentException($"'{name}' has {Count} elements but {cells.Count} cells.", nameof(cells));
        }
        Cells = cells;
    }

    /// <inheritdoc />
    public override MatClass Class => MatClass.Cell;

    /// <summary>The cells in MATLAB's column-major order.</summary>
    public IReadOnlyList<MatArray> Cells { get; }
}

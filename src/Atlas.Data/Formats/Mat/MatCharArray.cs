namespace Atlas.Data.Formats.Mat;

/// <summary>A MATLAB char array: its characters column-major; a 1×n array (a MATLAB string) is <see cref="Text"/>.</summary>
public sealed class MatCharArray : MatArray
{
    /// <summary>Wraps the column-major <paramref name="characters"/>.</summary>
    public MatCharArray(string name, IReadOnlyList<int> dimensions, string characters)
        : base(name, dimensions)
    {
        if (characters.Length != Count)
        {
            throw new ArgumentException($"'{name}' has {Count} elements but {characters.Length} characters.", nameof(characters));
        }
        ColumnMajorCharacters = characters;
    }

    /// <inheritdoc />
    public override MatClass Class => MatClass.Char;

    /// <summary>The characters in MATLAB's column-major order.</summary>
    public string ColumnMajorCharacters { get; }

    /// <summary>The rows of a two-dimensional char array, each as a string (MATLAB's char matrix of equal-length rows).</summary>
    public IReadOnlyList<string> Rows()
    {
        if (Dimensions.Count != 2)
        {
            throw new InvalidDataException($"{Describe()} is not a two-dimensional char array.");
        }
        int rows = Dimensions[0], columns = Dimensions[1];
        var result = new string[rows];
        var buffer = new char[columns];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                buffer[c] = ColumnMajorCharacters[r + (rows * c)];
            }
            result[r] = new string(buffer);
        }
        return result;
    }

    /// <summary>The string of a 1×n (or empty) char array; throws naming the array if it has more than one row.</summary>
    public string Text
    {
        get
        {
            if (Count == 0) return "";
            if (Dimensions.Count != 2 || Dimensions[0] != 1)
            {
                throw new InvalidDataException($"{Describe()} is not a single string (1×n char array).");
            }
            return ColumnMajorCharacters;
        }
    }
}

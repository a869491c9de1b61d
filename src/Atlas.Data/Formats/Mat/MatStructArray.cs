namespace Atlas.Data.Formats.Mat;

/// <summary>
/// A MATLAB struct array: for each element (column-major) one array per field. Cars' annotation files are 1×n
/// struct arrays with fields <c>bbox_x1</c>, ..., <c>class</c>, <c>fname</c>.
/// </summary>
public sealed class MatStructArray : MatArray
{
    private readonly MatArray[][] _values;

    /// <summary>Wraps <paramref name="values"/>: for each element (column-major), one array per field in field order.</summary>
    public MatStructArray(string name, IReadOnlyList<int> dimensions, IReadOnlyList<string> fieldNames, MatArray[][] values)
        : base(name, dimensions)
    {
        if (values.Length != Count || values.Any(v => v.Length != fieldNames.Count))
        {
            throw new ArgumentException($"'{name}' needs {Count} elements of {fieldNames.Count} fields.", nameof(values));
        }
        FieldNames = fieldNames;
        _values = values;
    }

    /// <inheritdoc />
    public override MatClass Class => MatClass.Struct;

    /// <summary>The field names in file order.</summary>
    public IReadOnlyList<string> FieldNames { get; }

    /// <summary>The value of <paramref name="field"/> in element <paramref name="element"/> (column-major position).</summary>
    public MatArray Field(int element, string field)
    {
        int f = -1;
        for (int i = 0; i < FieldNames.Count; i++)
        {
            if (FieldNames[i] == field)
            {
                f = i;
                break;
            }
        }
        if (f < 0)
        {
            throw new InvalidDataException($"Struct {Describe()} has no field '{field}' (fields: {string.Join(", ", FieldNames)}).");
        }
        return _values[element][f];
    }
}

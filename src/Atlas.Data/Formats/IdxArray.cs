namespace Atlas.Data.Formats;

/// <summary>
/// An unsigned-byte IDX array (the MNIST container): its dimensions, outermost first, and its row-major values.
/// </summary>
public sealed class IdxArray
{
    /// <summary>Wraps <paramref name="values"/>; their count must equal the product of <paramref name="dimensions"/>.</summary>
    public IdxArray(IReadOnlyList<int> dimensions, byte[] values)
    {
        if (dimensions.Count is < 1 or > 3)
        {
            throw new ArgumentException($"IDX arrays here have 1 to 3 dimensions, not {dimensions.Count}.", nameof(dimensions));
        }
        long expected = 1;
        foreach (int size in dimensions)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(size, nameof(dimensions));
            expected *= size;
        }
        if (values.LongLength != expected)
        {
            throw new ArgumentException(
                $"Dimensions [{string.Join(", ", dimensions)}] need {expected} values, got {values.LongLength}.", nameof(values));
        }
        Dimensions = dimensions.ToArray();
        Values = values;
    }

    /// <summary>Sizes of each dimension, outermost (the item count) first.</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>Row-major values.</summary>
    public byte[] Values { get; }

    /// <summary>Number of items: the outermost dimension.</summary>
    public int Count => Dimensions[0];
}

namespace Atlas.Data.Formats.Mat;

/// <summary>
/// The array classes of a MAT v5 <c>miMATRIX</c> element (the low byte of its array flags), numbered as the MAT-file
/// format specification numbers them. <see cref="MatFileReader"/> reads the numeric classes, char, cell and struct;
/// the others are refused with an error naming the variable.
/// </summary>
public enum MatClass
{
    Cell = 1,
    Struct = 2,
    Object = 3,
    Char = 4,
    Sparse = 5,
    Double = 6,
    Single = 7,
    Int8 = 8,
    UInt8 = 9,
    Int16 = 10,
    UInt16 = 11,
    Int32 = 12,
    UInt32 = 13,
    Int64 = 14,
    UInt64 = 15,
}

namespace Atlas.Data.Formats.Pickle;

/// <summary>
/// A numpy array as a pickle holds it (<c>numpy.core.multiarray._reconstruct</c> then <c>__setstate__</c>): its dtype
/// string with byte order (e.g. <c>|u1</c>), shape, memory order and raw element bytes.
/// </summary>
/// <param name="Dtype">numpy's dtype string with its byte-order character: <c>|u1</c> for uint8, <c>&lt;i8</c> for little-endian int64.</param>
/// <param name="Shape">The dimensions, outermost first.</param>
/// <param name="FortranOrder">Whether <see cref="Data"/> is column-major (numpy's <c>is_fortran</c>); C order otherwise.</param>
/// <param name="Data">The raw element bytes.</param>
public sealed record NumpyArray(string Dtype, IReadOnlyList<long> Shape, bool FortranOrder, byte[] Data)
{
    /// <summary>The number of elements: the product of <see cref="Shape"/>.</summary>
    public long Count => Shape.Aggregate(1L, (product, d) => product * d);
}

using System.Buffers.Binary;
using System.IO.Compression;
using Atlas.Store;

namespace Atlas.Data.Formats;

/// <summary>Writes unsigned-byte IDX files, gzipped, in a byte-for-byte deterministic way.</summary>
public static class IdxWriter
{
    /// <summary>
    /// The raw (uncompressed) IDX bytes of <paramref name="array"/>: big-endian magic 0x0000080N, dimensions, values.
    /// </summary>
    public static byte[] ToRawBytes(IdxArray array)
    {
        int rank = array.Dimensions.Count;
        int headerLength = 4 + (4 * rank);
        byte[] raw = new byte[headerLength + array.Values.Length];
        BinaryPrimitives.WriteUInt32BigEndian(raw, 0x00000800u | (uint)rank);
        for (int d = 0; d < rank; d++)
        {
            BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(4 + (4 * d)), array.Dimensions[d]);
        }
        array.Values.CopyTo(raw, headerLength);
        return raw;
    }

    /// <summary>
    /// Gzips raw IDX bytes at the smallest-size level. .NET writes no file name and a zero timestamp in the gzip
    /// header, so the same input gives the same bytes with the same runtime.
    /// </summary>
    public static byte[] Gzip(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(raw);
        }
        return output.ToArray();
    }

    /// <summary>Writes <paramref name="array"/> gzipped to <paramref name="path"/>, atomically.</summary>
    public static void WriteGzipped(string path, IdxArray array) => AtomicFile.WriteAllBytes(path, Gzip(ToRawBytes(array)));
}

using System.Buffers.Binary;
using System.IO.Compression;

namespace Atlas.Data.Formats;

/// <summary>
/// Reads unsigned-byte IDX files (MNIST, Fashion-MNIST), gzipped or raw: a big-endian magic 0x0000080N, N big-endian
/// int32 dimensions, then the values. Only rank 1 (labels, 0x00000801) and rank 3 (images, 0x00000803) are accepted.
/// </summary>
public static class IdxReader
{
    /// <summary>Reads and validates the IDX file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is corrupt, truncated or not an unsigned-byte IDX file.</exception>
    public static IdxArray Read(string path) => Parse(File.ReadAllBytes(path), path);

    /// <summary>
    /// Parses the bytes of an IDX file already in memory (gzipped or raw); <paramref name="fileName"/> only names
    /// the file in error messages.
    /// </summary>
    /// <exception cref="InvalidDataException">The content is corrupt, truncated or not an unsigned-byte IDX file.</exception>
    public static IdxArray Parse(byte[] content, string fileName)
    {
        byte[] raw = IsGzip(content) ? Gunzip(content, fileName) : content;
        if (raw.Length < 4)
        {
            throw new InvalidDataException($"{fileName}: IDX file has {raw.Length} bytes, too short for the 4-byte magic number.");
        }
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(raw);
        int rank = magic switch
        {
            0x00000801 => 1,
            0x00000803 => 3,
            _ => throw new InvalidDataException(
                $"{fileName}: expected IDX magic 0x00000801 (labels) or 0x00000803 (images), found 0x{magic:X8}."),
        };
        int headerLength = 4 + (4 * rank);
        if (raw.Length < headerLength)
        {
            throw new InvalidDataException(
                $"{fileName}: a rank-{rank} IDX header needs {headerLength} bytes, the file has {raw.Length}.");
        }
        int[] dimensions = new int[rank];
        long valueCount = 1;
        for (int d = 0; d < rank; d++)
        {
            int size = BinaryPrimitives.ReadInt32BigEndian(raw.AsSpan(4 + (4 * d)));
            if (size < 0)
            {
                throw new InvalidDataException($"{fileName}: IDX dimension {d} is negative ({size}).");
            }
            dimensions[d] = size;
            valueCount *= size;
        }
        long found = raw.LongLength - headerLength;
        if (found != valueCount)
        {
            throw new InvalidDataException(
                $"{fileName}: IDX dimensions [{string.Join(", ", dimensions)}] need {valueCount} value bytes after the header, found {found}.");
        }
        return new IdxArray(dimensions, raw[headerLength..]);
    }

    private static bool IsGzip(byte[] content) => content.Length >= 2 && content[0] == 0x1F && content[1] == 0x8B;

    private static byte[] Gunzip(byte[] content, string fileName)
    {
        try
        {
            using var gzip = new GZipStream(new MemoryStream(content), CompressionMode.Decompress);
            using var output = new MemoryStream();
            gzip.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{fileName}: gzip stream is corrupt or truncated ({e.Message}).", e);
        }
    }
}

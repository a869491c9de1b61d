using System.Globalization;
using System.IO.Compression;

namespace Atlas.Data.Formats;

/// <summary>
/// Reads the UCI optdigits table as shipped by scikit-learn (<c>sklearn/datasets/data/digits.csv.gz</c>), gzipped or
/// plain: one image per line, 64 pixel counts 0..16 of an 8×8 grid (row-major) then the digit label 0..9.
/// </summary>
public static class OptdigitsCsvReader
{
    /// <summary>Side of the square image.</summary>
    public const int ImageSide = 8;

    /// <summary>Largest pixel value (each pixel counts set bits in a 4×4 block of the original 32×32 bitmap).</summary>
    public const int PixelMax = 16;

    private const int ColumnCount = (ImageSide * ImageSide) + 1;

    /// <summary>Reads <paramref name="path"/> into images [n, 8, 8] and labels [n].</summary>
    /// <exception cref="InvalidDataException">A row is malformed; the message names the file and line.</exception>
    public static (IdxArray Images, IdxArray Labels) Read(string path)
    {
        string[] lines = ReadAllLines(path);
        var pixels = new List<byte>();
        var labels = new List<byte>();
        for (int index = 0; index < lines.Length; index++)
        {
            if (lines[index].Length == 0)
            {
                continue;
            }
            int lineNumber = index + 1;
            string[] fields = lines[index].Split(',');
            if (fields.Length != ColumnCount)
            {
                throw new InvalidDataException(
                    $"{path}:{lineNumber}: expected {ColumnCount} comma-separated integers (64 pixels then the label), found {fields.Length} fields.");
            }
            for (int column = 0; column < ColumnCount; column++)
            {
                bool isLabel = column == ColumnCount - 1;
                int max = isLabel ? 9 : PixelMax;
                if (!int.TryParse(fields[column], NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < 0 || value > max)
                {
                    string what = isLabel ? "label" : $"pixel {column}";
                    throw new InvalidDataException($"{path}:{lineNumber}: {what} is \"{fields[column]}\", expected an integer 0..{max}.");
                }
                (isLabel ? labels : pixels).Add((byte)value);
            }
        }
        if (labels.Count == 0)
        {
            throw new InvalidDataException($"{path}: no data rows.");
        }
        return (new IdxArray([labels.Count, ImageSide, ImageSide], [.. pixels]), new IdxArray([labels.Count], [.. labels]));
    }

    private static string[] ReadAllLines(string path)
    {
        byte[] content = File.ReadAllBytes(path);
        bool gzipped = content.Length >= 2 && content[0] == 0x1F && content[1] == 0x8B;
        string text;
        try
        {
            using var reader = new StreamReader(gzipped
                ? new GZipStream(new MemoryStream(content), CompressionMode.Decompress)
                : new MemoryStream(content));
            text = reader.ReadToEnd();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: gzip stream is corrupt or truncated ({e.Message}).", e);
        }
        return text.Split('\n').Select(line => line.TrimEnd('\r')).ToArray();
    }
}

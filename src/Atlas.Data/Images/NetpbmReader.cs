using System.Text;

namespace Atlas.Data.Images;

/// <summary>
/// Reads binary Netpbm images: P6 (RGB, GTSRB's <c>.ppm</c> files) and P5 (grey levels, copied to R, G and B as
/// Pillow's <c>convert("RGB")</c> does). Only 8-bit samples (maxval ≤ 255) are accepted; a maxval below 255 is
/// rescaled to 0–255 as Pillow 9.4's PPM decoder does: min(255, round(v / maxval · 255)), Python's round (half to
/// even). The ASCII variants P1–P4 and 16-bit files are refused.
/// </summary>
public static class NetpbmReader
{
    /// <summary>Whether <paramref name="bytes"/> starts like a binary P5/P6 file.</summary>
    public static bool LooksLikeNetpbm(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 2 && bytes[0] == (byte)'P' && (bytes[1] == (byte)'5' || bytes[1] == (byte)'6');

    /// <summary>Decodes a P5 or P6 file's bytes; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="ImageDecodeException">Not P5/P6, a malformed header, 16-bit samples, or too few pixel bytes.</exception>
    public static RgbImage Decode(ReadOnlySpan<byte> bytes, string source)
    {
        if (!LooksLikeNetpbm(bytes))
        {
            throw new ImageDecodeException(source, "not a binary PPM/PGM file (expected the magic number P6 or P5).");
        }
        bool colour = bytes[1] == (byte)'6';
        int position = 2;
        int width = ReadHeaderNumber(bytes, ref position, source, "width");
        int height = ReadHeaderNumber(bytes, ref position, source, "height");
        int maxValue = ReadHeaderNumber(bytes, ref position, source, "maxval");
        if (width <= 0 || height <= 0)
        {
            throw new ImageDecodeException(source, $"PPM/PGM header gives an empty size {width}×{height}.");
        }
        if (maxValue is <= 0 or > 255)
        {
            throw new ImageDecodeException(source, $"PPM/PGM maxval {maxValue} is not supported (only 8-bit samples, maxval 1–255).");
        }
        // Exactly one whitespace byte separates the header from the samples.
        if (position >= bytes.Length || !IsWhitespace(bytes[position]))
        {
            throw new ImageDecodeException(source, "PPM/PGM header does not end with a whitespace byte.");
        }
        position++;
        long needed = (long)width * height * (colour ? 3 : 1);
        if (bytes.Length - position < needed)
        {
            throw new ImageDecodeException(source,
                $"truncated PPM/PGM file: a {width}×{height} image needs {needed} sample bytes, the file has {bytes.Length - position}.");
        }
        byte[] samples = bytes.Slice(position, (int)needed).ToArray();
        if (maxValue != 255)
        {
            for (int i = 0; i < samples.Length; i++)
            {
                // The same double operations as Python's value / maxval * 255, then round half to even.
                samples[i] = (byte)Math.Min(255.0, Math.Round(samples[i] / (double)maxValue * 255.0));
            }
        }
        return colour ? new RgbImage(width, height, samples) : RgbImage.FromGrey(width, height, samples);
    }

    private static int ReadHeaderNumber(ReadOnlySpan<byte> bytes, ref int position, string source, string field)
    {
        // Whitespace and '#' comments (to the end of the line) may precede each header number.
        while (position < bytes.Length)
        {
            if (IsWhitespace(bytes[position]))
            {
                position++;
            }
            else if (bytes[position] == (byte)'#')
            {
                while (position < bytes.Length && bytes[position] != (byte)'\n' && bytes[position] != (byte)'\r')
                {
                    position++;
                }
            }
            else
            {
                break;
            }
        }
        int start = position;
        long value = 0;
        while (position < bytes.Length && bytes[position] is >= (byte)'0' and <= (byte)'9')
        {
            value = value * 10 + (bytes[position] - (byte)'0');
            if (value > int.MaxValue)
            {
                throw new ImageDecodeException(source, $"PPM/PGM header {field} is too large.");
            }
            position++;
        }
        if (position == start)
        {
            string found = position < bytes.Length ? Encoding.ASCII.GetString(bytes.Slice(position, 1)) : "end of file";
            throw new ImageDecodeException(source, $"PPM/PGM header: expected the {field} as a decimal number, found '{found}'.");
        }
        return (int)value;
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0B or 0x0C;
}

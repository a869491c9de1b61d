using System.Runtime.CompilerServices;

namespace Atlas.Data.Images;

/// <summary>
/// Pillow's convolution resampling (<c>Image.resize</c> with BICUBIC or BILINEAR, <c>libImaging/Resample.c</c>),
/// re-implemented so that 8-bit results equal Pillow 9.4's byte for byte: separable, horizontal pass then vertical;
/// when shrinking, the kernel is stretched by the scale factor (antialiasing); coefficients normalised per output pixel
/// and then rounded to fixed point with 22 fractional bits; sums start at one half and are clipped to 0–255.
/// </summary>
public static class PillowResampler
{
    // Pillow's PRECISION_BITS: 32 − 8 − 2, leaving room for 8-bit samples and for negative lobes' overshoot.
    private const int PrecisionBits = 32 - 8 - 2;

    /// <summary>
    /// Resizes <paramref name="image"/> to <paramref name="width"/> × <paramref name="height"/>, sampling the region
    /// <paramref name="box"/> (default: the whole image) as Pillow's <c>resize(size, filter, box)</c> does.
    /// </summary>
    /// <exception cref="ArgumentException">A size below 1, or a box outside the image or empty (Pillow's checks).</exception>
    public static RgbImage Resize(RgbImage image, int width, int height, ResampleFilter filter = ResampleFilter.Bicubic, ResampleBox? box = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (width < 1 || height < 1)
        {
            throw new ArgumentException($"Resize needs a positive output size, got {width}×{height}.");
        }
        ResampleBox region = box ?? ResampleBox.Whole(image.Width, image.Height);
        if (region.Left < 0 || region.Top < 0)
        {
            throw new ArgumentException($"Resize box {region} starts outside the image (negative offset).", nameof(box));
        }
        if (region.Right > image.Width || region.Bottom > image.Height)
        {
            throw new ArgumentException($"Resize box {region} exceeds the {image.Width}×{image.Height} image.", nameof(box));
        }
        if (region.Right - region.Left < 0 || region.Bottom - region.Top < 0)
        {
            throw new ArgumentException($"Resize box {region} is empty.", nameof(box));
        }
        if (width == image.Width && height == image.Height && region == ResampleBox.Whole(image.Width, image.Height))
        {
            return new RgbImage(width, height, (byte[])image.Pixels.Clone());
        }

        // Pillow decides each pass by comparing the box's far edge with the OUTPUT size; kept as is so that the
        // passes skipped are the ones Pillow skips (a skipped pass would be the identity anyway).
        bool horizontal = width != image.Width || region.Left != 0 || region.Right != width;
        bool vertical = height != image.Height || region.Top != 0 || region.Bottom != height;

        Coefficients columns = Coefficients.For(image.Width, region.Left, region.Right, width, filter);
        Coefficients rows = Coefficients.For(image.Height, region.Top, region.Bottom, height, filter);

        RgbImage source = image;
        if (horizontal)
        {
            // Only the source rows the vertical pass reads are resampled horizontally.
            int firstRow = rows.Start[0];
            int endRow = rows.Start[height - 1] + rows.Count[height - 1];
            for (int i = 0; i < height; i++)
            {
                rows.Start[i] -= firstRow;
            }
            source = ResampleRows(image, firstRow, endRow - firstRow, columns);
        }
        return vertical ? ResampleColumns(source, rows) : source;
    }

    // Hot loops: compiled fully optimised at once (decoding threads run them long before tiering would).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static RgbImage ResampleRows(RgbImage input, int firstRow, int rowCount, Coefficients columns)
    {
        int outWidth = columns.OutputSize;
        byte[] output = new byte[outWidth * rowCount * 3];
        byte[] pixels = input.Pixels;
        for (int y = 0; y < rowCount; y++)
        {
            int inRow = (y + firstRow) * input.Width * 3;
            int outRow = y * outWidth * 3;
            for (int x = 0; x < outWidth; x++)
            {
                int start = columns.Start[x];
                int count = columns.Count[x];
                int weights = x * columns.KernelSize;
                int r = Half, g = Half, b = Half;
                for (int k = 0; k < count; k++)
                {
                    int weight = columns.Weights[weights + k];
                    int p = inRow + (start + k) * 3;
                    r += pixels[p] * weight;
                    g += pixels[p + 1] * weight;
                    b += pixels[p + 2] * weight;
                }
                int o = outRow + x * 3;
                output[o] = Clip(r);
                output[o + 1] = Clip(g);
                output[o + 2] = Clip(b);
            }
        }
        return new RgbImage(outWidth, rowCount, output);
    }

    // Hot loops: compiled fully optimised at once (decoding threads run them long before tiering would).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static RgbImage ResampleColumns(RgbImage input, Coefficients rows)
    {
        int outHeight = rows.OutputSize;
        int rowBytes = input.Width * 3;
        byte[] output = new byte[rowBytes * outHeight];
        byte[] pixels = input.Pixels;
        // Row by row, accumulating whole source rows: the same integer sums as Pillow's per-pixel loop (integer
        // addition is associative), with sequential memory access.
        var sums = new int[rowBytes];
        for (int y = 0; y < outHeight; y++)
        {
            int start = rows.Start[y];
            int count = rows.Count[y];
            int weights = y * rows.KernelSize;
            Array.Fill(sums, Half);
            for (int k = 0; k < count; k++)
            {
                int weight = rows.Weights[weights + k];
                ReadOnlySpan<byte> row = pixels.AsSpan((start + k) * rowBytes, rowBytes);
                for (int i = 0; i < row.Length; i++)
                {
                    sums[i] += row[i] * weight;
                }
            }
            Span<byte> outRow = output.AsSpan(y * rowBytes, rowBytes);
            for (int i = 0; i < outRow.Length; i++)
            {
                outRow[i] = Clip(sums[i]);
            }
        }
        return new RgbImage(input.Width, outHeight, output);
    }

    private const int Half = 1 << (PrecisionBits - 1);

    // Pillow's clip8: the arithmetic shift floors, then a lookup clamps to 0–255.
    private static byte Clip(int sum) => (byte)Math.Clamp(sum >> PrecisionBits, 0, 255);

    /// <summary>Per output pixel along one axis: first source pixel, tap count, fixed-point weights.</summary>
    private sealed class Coefficients
    {
        public required int OutputSize { get; init; }
        public required int KernelSize { get; init; }
        public required int[] Start { get; init; }
        public required int[] Count { get; init; }
        public required int[] Weights { get; init; }

        public static Coefficients For(int inputSize, float from, float to, int outputSize, ResampleFilter filter)
        {
            (Func<double, double> kernel, double baseSupport) = filter switch
            {
                ResampleFilter.Bicubic => ((Func<double, double>)Bicubic, 2.0),
                ResampleFilter.Bilinear => (Bilinear, 1.0),
                _ => throw new ArgumentOutOfRangeException(nameof(filter), filter, "Unknown resampling filter."),
            };
            // (to − from) is a float subtraction in Pillow, widened afterwards.
            double scale = (double)(to - from) / outputSize;
            double filterScale = Math.Max(scale, 1.0);
            double support = baseSupport * filterScale;
            int kernelSize = (int)Math.Ceiling(support) * 2 + 1;
            var start = new int[outputSize];
            var count = new int[outputSize];
            var weights = new int[outputSize * kernelSize];
            var taps = new double[kernelSize];
            double inverseScale = 1.0 / filterScale;
            for (int xx = 0; xx < outputSize; xx++)
            {
                double centre = from + (xx + 0.5) * scale;
                // C casts truncate toward zero; (int) in C# does the same.
                int xmin = Math.Max((int)(centre - support + 0.5), 0);
                int xmax = Math.Min((int)(centre + support + 0.5), inputSize) - xmin;
                double total = 0.0;
                for (int x = 0; x < xmax; x++)
                {
                    double w = kernel((x + xmin - centre + 0.5) * inverseScale);
                    taps[x] = w;
                    total += w;
                }
                for (int x = 0; x < xmax; x++)
                {
                    double w = total != 0.0 ? taps[x] / total : taps[x];
                    // Round half away from zero into fixed point, as Pillow's normalize_coeffs_8bpc.
                    weights[xx * kernelSize + x] = w < 0
                        ? (int)(-0.5 + w * (1 << PrecisionBits))
                        : (int)(0.5 + w * (1 << PrecisionBits));
                }
                start[xx] = xmin;
                count[xx] = Math.Max(xmax, 0);
            }
            return new Coefficients { OutputSize = outputSize, KernelSize = kernelSize, Start = start, Count = count, Weights = weights };
        }

        // Keys' cubic convolution kernel with a = −0.5, in Pillow's evaluation order.
        private static double Bicubic(double x)
        {
            const double a = -0.5;
            if (x < 0.0)
            {
                x = -x;
            }
            if (x < 1.0)
            {
                return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
            }
            if (x < 2.0)
            {
                return (((x - 5) * x + 8) * x - 4) * a;
            }
            return 0.0;
        }

        private static double Bilinear(double x)
        {
            if (x < 0.0)
            {
                x = -x;
            }
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    }
}

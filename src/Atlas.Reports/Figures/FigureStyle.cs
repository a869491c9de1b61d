using Atlas.Store;
using ScottPlot;

namespace Atlas.Reports.Figures;

/// <summary>What every figure shares: the font, the PNG encoding, and the atomic write.</summary>
internal static class FigureStyle
{
    // Named rather than left to ScottPlot's detection, which picks "DejaVu Serif" on a fontconfig-only machine; an
    // explicit family keeps the look (and the bytes) the same wherever DejaVu is installed.
    public const string FontName = "DejaVu Sans";

    /// <summary>A plot with the shared font and a white background.</summary>
    public static Plot NewPlot()
    {
        var plot = new Plot();
        plot.Font.Set(FontName);
        return plot;
    }

    /// <summary>Renders to PNG in memory first, so a rendering failure never touches the target file.</summary>
    public static void Save(Plot plot, string path, int width, int height)
    {
        byte[] png = plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.WriteAllBytes(path, png);
    }

    public static void CheckPath(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
    }
}

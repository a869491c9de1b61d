using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Atlas.Reports.Figures;

/// <summary>
/// Curves of y against x as a PNG (accuracy against shots per class, or against the fraction of training data): one
/// line with markers per <see cref="LineSeries"/>, a legend, optional ±error bars and an optional logarithmic x axis.
/// </summary>
/// <remarks>
/// With <c>logX</c> the points are placed at log10(x) but the ticks are labelled with x itself: at every distinct x of
/// the data when there are at most <see cref="MaxLogTicks"/> (shots 1, 2, 4, 8, 16 or fractions 0.01 … 1 land exactly
/// on a labelled tick), otherwise at 1, 2 and 5 times each power of ten in range.
/// </remarks>
public static class LineFigure
{
    /// <summary>Image width in pixels.</summary>
    public const int Width = 900;

    /// <summary>Image height in pixels.</summary>
    public const int Height = 600;

    /// <summary>The most data-driven tick labels on a logarithmic x axis before falling back to 1-2-5 ticks.</summary>
    public const int MaxLogTicks = 12;

    /// <summary>
    /// Writes the figure to <paramref name="path"/> atomically (<see cref="Width"/> × <see cref="Height"/>), creating the
    /// folder if needed.
    /// </summary>
    /// <param name="logX">Logarithmic x axis; every x must then be positive.</param>
    /// <exception cref="ArgumentException">No series; a series with no points, with X, Y and Error of different
    /// lengths, or with a value that is not finite, a negative error, or (with <paramref name="logX"/>) an x that is
    /// not positive. The message names the series and the index.</exception>
    public static void Write(string path, string title, string xLabel, string yLabel, IReadOnlyList<LineSeries> series, bool logX = false)
    {
        FigureStyle.CheckPath(path);
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(xLabel);
        ArgumentNullException.ThrowIfNull(yLabel);
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0)
            throw new ArgumentException("a line figure needs at least one series", nameof(series));
        for (int s = 0; s < series.Count; s++)
            Check(series[s], s, logX);

        var plot = FigureStyle.NewPlot();
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);

        for (int s = 0; s < series.Count; s++)
        {
            var line = series[s];
            double[] xs = [.. line.X.Select(x => logX ? Math.Log10(x) : x)];
            double[] ys = [.. line.Y];
            // Colour by series index: letting the palette colour each plottable would skip a colour per error bar.
            var color = plot.Add.Palette.GetColor(s);
            var scatter = plot.Add.Scatter(xs, ys, color);
            scatter.LegendText = line.Name;
            scatter.LineWidth = 2;
            scatter.MarkerSize = 7;
            if (line.Error is not null)
            {
                var bars = plot.Add.ErrorBar(xs, ys, [.. line.Error]);
                bars.Color = color;
                bars.LineWidth = 1.5f;
            }
        }

        if (logX)
            plot.Axes.Bottom.TickGenerator = LogTicks(series);
        // Beside the plot rather than inside it, where it would hide whichever points fall under it.
        plot.ShowLegend(Edge.Right);

        FigureStyle.Save(plot, path, Width, Height);
    }

    private static void Check(LineSeries line, int index, bool logX)
    {
        if (line is null) throw new ArgumentException($"series {index} is null", "series");
        string name = $"series {index} ('{line.Name}')";
        if (line.Name is null) throw new ArgumentException($"series {index} has no name", "series");
        if (line.X is null || line.Y is null) throw new ArgumentException($"{name} has no X or no Y", "series");
        if (line.X.Count == 0) throw new ArgumentException($"{name} has no points", "series");
        if (line.Y.Count != line.X.Count)
            throw new ArgumentException($"{name} has {line.X.Count} X values but {line.Y.Count} Y values", "series");
        if (line.Error is not null && line.Error.Count != line.X.Count)
            throw new ArgumentException($"{name} has {line.X.Count} X values but {line.Error.Count} Error values", "series");
        for (int i = 0; i < line.X.Count; i++)
        {
            CheckFinite(line.X[i], name, "X", i);
            CheckFinite(line.Y[i], name, "Y", i);
            if (line.Error is not null)
            {
                CheckFinite(line.Error[i], name, "Error", i);
                if (line.Error[i] < 0)
                    throw new ArgumentException($"{name}: Error[{i}] = {Format(line.Error[i])} is negative", "series");
            }
            if (logX && line.X[i] <= 0)
                throw new ArgumentException($"{name}: X[{i}] = {Format(line.X[i])} is not positive, so it has no place on a log x axis", "series");
        }
    }

    private static void CheckFinite(double value, string name, string what, int i)
    {
        if (!double.IsFinite(value))
            throw new ArgumentException($"{name}: {what}[{i}] = {Format(value)} is not finite", "series");
    }

    // Ticks sit at log10(x) and read x.
    private static NumericManual LogTicks(IReadOnlyList<LineSeries> series)
    {
        var distinct = series.SelectMany(s => s.X).Distinct().Order().ToArray();
        var positions = distinct;
        if (distinct.Length > MaxLogTicks)
        {
            double low = distinct[0], high = distinct[^1];
            int first = (int)Math.Floor(Math.Log10(low)), last = (int)Math.Floor(Math.Log10(high));
            positions = [.. Enumerable.Range(first, last - first + 1)
                .SelectMany(decade => new[] { 1.0, 2.0, 5.0 }.Select(m => m * Math.Pow(10, decade)))
                .Where(x => x >= low * (1 - 1e-9) && x <= high * (1 + 1e-9))];
            // A range inside one 1-2-5 step (say 3 … 4.5) would otherwise get no tick at all.
            if (positions.Length < 2)
                positions = [low, high];
        }
        var ticks = new NumericManual();
        foreach (var x in positions)
            ticks.AddMajor(Math.Log10(x), Format(x));
        return ticks;
    }

    // "G6" prints 0.01, 0.25, 16 and 100 as such, and round-off like 0.30000000000000004 as 0.3.
    private static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}

using System.Globalization;
using System.Text.RegularExpressions;
using ScottPlot;
using ScottPlot.TickGenerators;
using Balance = ScottPlot.Colormaps.Balance;
using ColorRange = ScottPlot.Range;

namespace Atlas.Reports.Figures;

/// <summary>
/// A heat map of a matrix of learned coefficients (rows = task vectors, columns = parameter blocks) as a PNG.
/// </summary>
/// <remarks>
/// <para>Colours: a diverging map (cmocean "balance": blue → white → red) with limits ±max|v|, so white is exactly 0,
/// red positive, blue negative, and equal magnitudes get equal saturation on either side. A colour bar carries the
/// label.</para>
/// <para>Rows are labelled on the y axis, first row at the top (reading order of the matrix).</para>
/// <para>Columns (up to 152 for ViT-B/32) are too many to label one by one, so the x axis gets at most
/// <see cref="MaxColumnTicks"/> labels, rotated 90°, chosen by <see cref="ColumnTicks"/>: when some labels contain
/// <c>resblocks.{i}.</c> (open_clip's residual blocks), one tick per transformer layer at its first block, labelled
/// <c>layer i</c>, plus one tick per block outside the residual layers, labelled with its name less the
/// <c>visual.</c> prefix (a ViT-B/32 image tower: 12 layer ticks + 8 named ones); otherwise, or if that still exceeds
/// the limit, every n-th label with n the smallest stride that stays within it. When grouped by layer, a faint vertical
/// rule separates the groups. Every column keeps a minor tick mark so single blocks can still be counted.</para>
/// <para>Size: width grows with the number of columns and height with the number of rows, within
/// <see cref="PixelSize"/>'s bounds.</para>
/// </remarks>
public static partial class HeatmapFigure
{
    /// <summary>The most column labels printed on the x axis.</summary>
    public const int MaxColumnTicks = 30;

    /// <summary>Narrowest and widest image, in pixels.</summary>
    public const int MinWidth = 900, MaxWidth = 2400;

    /// <summary>Lowest and highest image, in pixels.</summary>
    public const int MinHeight = 450, MaxHeight = 1600;

    // 14 px a column is about one rotated label's height, so neighbouring single-block ticks (class_embedding,
    // positional_embedding, …) do not overlap; past MaxWidth the cells simply get narrower.
    private const int PixelsPerColumn = 14, PixelsPerRow = 32;

    // Room for the title, the rotated column labels, the row labels and the colour bar.
    private const int HorizontalChrome = 360, VerticalChrome = 260;

    private const string VisualPrefix = "visual.";

    /// <summary>
    /// Writes the heat map of <paramref name="values"/> (<c>values[row, column]</c>) to <paramref name="path"/>
    /// atomically, creating the folder if needed.
    /// </summary>
    /// <exception cref="ArgumentException">The matrix is empty, the label counts do not match its dimensions, or a
    /// value is not finite (the message names the row and column).</exception>
    public static void Write(string path, string title, IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels,
        double[,] values, string colorBarLabel)
    {
        FigureStyle.CheckPath(path);
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(rowLabels);
        ArgumentNullException.ThrowIfNull(columnLabels);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(colorBarLabel);
        int rows = values.GetLength(0), columns = values.GetLength(1);
        if (rows == 0 || columns == 0)
            throw new ArgumentException($"the matrix is empty ({rows} × {columns})", nameof(values));
        if (rowLabels.Count != rows)
            throw new ArgumentException($"{rowLabels.Count} row labels for a matrix with {rows} rows", nameof(rowLabels));
        if (columnLabels.Count != columns)
            throw new ArgumentException($"{columnLabels.Count} column labels for a matrix with {columns} columns", nameof(columnLabels));

        double largest = 0;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
            {
                double v = values[r, c];
                if (!double.IsFinite(v))
                    throw new ArgumentException(
                        $"value {v.ToString(CultureInfo.InvariantCulture)} at row {r} ('{rowLabels[r]}'), column {c} ('{columnLabels[c]}') is not finite",
                        nameof(values));
                largest = Math.Max(largest, Math.Abs(v));
            }

        var plot = FigureStyle.NewPlot();
        plot.Title(title);

        // ScottPlot draws Intensities[0, *] at the top, cell (r, c) centred on (c, rows - 1 - r).
        var heatmap = plot.Add.Heatmap((double[,])values.Clone());
        heatmap.Colormap = new Balance();
        // Symmetric limits put 0 at the colormap's white midpoint; an all-zero matrix still needs a non-empty range.
        double limit = largest > 0 ? largest : 1;
        heatmap.ManualRange = new ColorRange(-limit, limit);
        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Label = colorBarLabel;

        var rowTicks = new NumericManual();
        for (int r = 0; r < rows; r++)
            rowTicks.AddMajor(rows - 1 - r, rowLabels[r]);
        plot.Axes.Left.TickGenerator = rowTicks;

        var columnTicks = new NumericManual();
        var (labelled, grouped) = ChooseColumnTicks(columnLabels);
        var major = new HashSet<int>(labelled.Select(t => t.Column));
        foreach (var (column, label) in labelled)
            columnTicks.AddMajor(column, label);
        for (int c = 0; c < columns; c++)
            if (!major.Contains(c))
                columnTicks.AddMinor(c);
        plot.Axes.Bottom.TickGenerator = columnTicks;
        var tickStyle = plot.Axes.Bottom.TickLabelStyle;
        tickStyle.Rotation = -90;
        // Anchored at the label's end so the text hangs down from its tick, reading bottom to top.
        tickStyle.Alignment = Alignment.MiddleRight;
        // ScottPlot sizes the bottom axis for unrotated labels; reserve the longest label's length instead.
        using (var paint = Paint.NewDisposablePaint())
        {
            float longest = labelled.Max(t => tickStyle.Measure(t.Label, paint).Size.Width);
            plot.Axes.Bottom.MinimumSize = longest + 16;
        }

        if (grouped)
        {
            // Each labelled tick starts a group (a layer, or a block of its own); a faint rule at its left edge shows
            // where the previous group ends, which the tick alone does not.
            foreach (var (column, _) in labelled.Where(t => t.Column > 0))
            {
                var rule = plot.Add.VerticalLine(column - 0.5, width: 1, color: Colors.Black.WithAlpha(0.35));
                rule.LabelText = "";
            }
        }

        plot.Axes.SetLimits(-0.5, columns - 0.5, -0.5, rows - 0.5);
        plot.Grid.IsVisible = false;

        var (width, height) = PixelSize(rows, columns);
        FigureStyle.Save(plot, path, width, height);
    }

    /// <summary>The image size <see cref="Write"/> uses for a <paramref name="rows"/> × <paramref name="columns"/> matrix.</summary>
    public static (int Width, int Height) PixelSize(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        int width = (int)Math.Clamp(HorizontalChrome + (long)PixelsPerColumn * columns, MinWidth, MaxWidth);
        int height = (int)Math.Clamp(VerticalChrome + (long)PixelsPerRow * rows, MinHeight, MaxHeight);
        return (width, height);
    }

    /// <summary>
    /// The labelled x ticks (column index and text, in column order), at most <see cref="MaxColumnTicks"/>: grouped by
    /// transformer layer when the labels name <c>resblocks.{i}.</c> blocks, otherwise every n-th label (see the type's
    /// remarks).
    /// </summary>
    public static IReadOnlyList<(int Column, string Label)> ColumnTicks(IReadOnlyList<string> columnLabels) =>
        ChooseColumnTicks(columnLabels).Ticks;

    private static (IReadOnlyList<(int Column, string Label)> Ticks, bool Grouped) ChooseColumnTicks(IReadOnlyList<string> columnLabels)
    {
        ArgumentNullException.ThrowIfNull(columnLabels);
        var grouped = ByLayer(columnLabels);
        if (grouped is not null && grouped.Count <= MaxColumnTicks)
            return (grouped, true);

        int stride = (columnLabels.Count + MaxColumnTicks - 1) / MaxColumnTicks;
        var ticks = new List<(int, string)>();
        for (int c = 0; c < columnLabels.Count; c += Math.Max(stride, 1))
            ticks.Add((c, columnLabels[c]));
        return (ticks, false);
    }

    // Null when no label belongs to a residual layer, so the caller falls back to a stride.
    private static List<(int Column, string Label)>? ByLayer(IReadOnlyList<string> labels)
    {
        var ticks = new List<(int, string)>();
        var seenLayers = new HashSet<string>(StringComparer.Ordinal);
        bool anyLayer = false;
        for (int c = 0; c < labels.Count; c++)
        {
            var match = ResidualLayer().Match(labels[c]);
            if (match.Success)
            {
                anyLayer = true;
                // Keyed by the whole prefix so a text tower's layer 3 and the image tower's layer 3 stay apart.
                if (seenLayers.Add(labels[c][..(match.Index + match.Length)]))
                    ticks.Add((c, $"layer {match.Groups[1].Value}"));
            }
            else
            {
                var name = labels[c];
                ticks.Add((c, name.StartsWith(VisualPrefix, StringComparison.Ordinal) ? name[VisualPrefix.Length..] : name));
            }
        }
        return anyLayer ? ticks : null;
    }

    [GeneratedRegex(@"(?:^|\.)resblocks\.(\d+)\.")]
    private static partial Regex ResidualLayer();
}

using System.Buffers.Binary;
using System.IO.Compression;
using Atlas.Reports.Figures;

namespace Atlas.Reports.Tests;

public sealed class FigureTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly string[] Tasks = ["Cars", "DTD", "EuroSAT", "GTSRB", "MNIST", "RESISC45", "SUN397", "SVHN"];

    // open_clip's ViT-B/32 image-tower block names in state_dict order: 6 input-side blocks, 12 layers × 12, 2 output-side.
    private static List<string> VitB32Blocks()
    {
        string[] perLayer = ["ln_1.weight", "ln_1.bias", "attn.in_proj_weight", "attn.in_proj_bias", "attn.out_proj.weight",
            "attn.out_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias"];
        var names = new List<string> { "visual.class_embedding", "visual.positional_embedding", "visual.proj", "visual.conv1.weight",
            "visual.ln_pre.weight", "visual.ln_pre.bias" };
        for (int layer = 0; layer < 12; layer++)
            names.AddRange(perLayer.Select(p => $"visual.transformer.resblocks.{layer}.{p}"));
        names.Add("visual.ln_post.weight");
        names.Add("visual.ln_post.bias");
        return names;
    }

    private static double[,] Coefficients(int rows, int columns)
    {
        var values = new double[rows, columns];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                values[r, c] = Math.Sin(0.7 * r + 0.3 * c) * (r + 1) / rows;
        return values;
    }

    private static LineSeries[] ShotsSeries() =>
    [
        new("aTLAS", [1, 2, 4, 8, 16], [60.1, 65.3, 70.2, 74.0, 77.5], [1.2, 1.0, 0.8, 0.5, 0.4]),
        new("zero-shot", [1, 2, 4, 8, 16], [48.0, 48.0, 48.0, 48.0, 48.0]),
    ];

    // IHDR is always the first chunk: length (4), "IHDR" (4), then width and height as big-endian 32-bit integers.
    private static (int Width, int Height) ReadPngSize(byte[] png)
    {
        Assert.True(png.Length > 24, $"only {png.Length} bytes");
        Assert.Equal(PngSignature, png[..8]);
        Assert.Equal("IHDR"u8.ToArray(), png[12..16]);
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));
    }

    // Just enough PNG for what ScottPlot writes (8-bit RGBA, not interlaced); ScottPlot and SkiaSharp are deliberately
    // not compile references of projects that use Atlas.Reports, tests included.
    private static (int Width, int Height, byte[] Rgba) DecodeRgba(byte[] png)
    {
        var (width, height) = ReadPngSize(png);
        Assert.Equal(8, png[24]);  // bit depth
        Assert.Equal(6, png[25]);  // colour type RGBA
        Assert.Equal(0, png[28]);  // no interlace
        using var compressed = new MemoryStream();
        for (int at = 8; at < png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at, 4));
            if (png.AsSpan(at + 4, 4).SequenceEqual("IDAT"u8))
                compressed.Write(png, at + 8, length);
            at += 12 + length;
        }
        compressed.Position = 0;
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionMode.Decompress))
            zlib.CopyTo(inflated);
        var filtered = inflated.ToArray();
        int stride = 4 * width;
        Assert.Equal(height * (stride + 1), filtered.Length);

        var rgba = new byte[height * stride];
        for (int y = 0; y < height; y++)
        {
            int filter = filtered[y * (stride + 1)];
            for (int i = 0; i < stride; i++)
            {
                int raw = filtered[y * (stride + 1) + 1 + i];
                int left = i >= 4 ? rgba[y * stride + i - 4] : 0;
                int up = y > 0 ? rgba[(y - 1) * stride + i] : 0;
                int upLeft = i >= 4 && y > 0 ? rgba[(y - 1) * stride + i - 4] : 0;
                int predicted = filter switch
                {
                    0 => 0,
                    1 => left,
                    2 => up,
                    3 => (left + up) / 2,
                    4 => Paeth(left, up, upLeft),
                    _ => throw new InvalidDataException($"PNG filter {filter} on row {y}"),
                };
                rgba[y * stride + i] = (byte)(raw + predicted);
            }
        }
        return (width, height, rgba);
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    [Fact]
    public void Heatmap_is_a_png_of_the_advertised_size()
    {
        using var folder = new TempDirectory();
        var path = folder.File("figures/nested/coefficients.png");
        var blocks = VitB32Blocks();

        HeatmapFigure.Write(path, "Learned coefficients", Tasks, blocks, Coefficients(Tasks.Length, blocks.Count), "coefficient");

        var expected = HeatmapFigure.PixelSize(Tasks.Length, blocks.Count);
        Assert.Equal(expected, ReadPngSize(File.ReadAllBytes(path)));
        // The atomic write leaves only the figure behind.
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void Heatmap_size_grows_with_the_matrix_within_bounds()
    {
        var few = HeatmapFigure.PixelSize(8, 10);
        var small = HeatmapFigure.PixelSize(8, 55);
        var vit = HeatmapFigure.PixelSize(8, 152);
        var huge = HeatmapFigure.PixelSize(200, 5000);

        Assert.Equal(HeatmapFigure.MinWidth, few.Width);
        Assert.True(few.Width < small.Width && small.Width < vit.Width, $"{few} {small} {vit}");
        Assert.True(HeatmapFigure.PixelSize(16, 55).Height > small.Height);
        Assert.Equal((HeatmapFigure.MaxWidth, HeatmapFigure.MaxHeight), huge);
        Assert.Equal(HeatmapFigure.MinHeight, HeatmapFigure.PixelSize(1, 55).Height);
    }

    [Fact]
    public void Heatmap_renders_the_same_bytes_twice()
    {
        using var folder = new TempDirectory();
        var blocks = VitB32Blocks().Take(55).ToList();
        var values = Coefficients(Tasks.Length, blocks.Count);

        HeatmapFigure.Write(folder.File("a.png"), "Coefficients", Tasks, blocks, values, "coefficient");
        HeatmapFigure.Write(folder.File("b.png"), "Coefficients", Tasks, blocks, values, "coefficient");

        Assert.Equal(File.ReadAllBytes(folder.File("a.png")), File.ReadAllBytes(folder.File("b.png")));
    }

    [Fact]
    public void Heatmap_puts_the_first_row_on_top_and_centres_the_colours_on_zero()
    {
        using var folder = new TempDirectory();
        var path = folder.File("signs.png");
        // Negative, zero and positive rows. A diverging map centred on 0 (limits ±2) paints them blue, white and red;
        // a one-sided map, or limits fitted to the data (-1 … 2), would tint the zero row.
        var values = new double[,] { { -1, -1, -1, -1 }, { 0, 0, 0, 0 }, { 2, 2, 2, 2 } };

        HeatmapFigure.Write(path, "signs", ["negative", "zero", "positive"], ["a", "b", "c", "d"], values, "coefficient");

        // Walk down one pixel column through the middle of the cells (clear of the row labels and the colour bar).
        var (width, height, rgba) = DecodeRgba(File.ReadAllBytes(path));
        int x = (int)(0.45 * width);
        (int R, int G, int B) At(int y) => (rgba[4 * (y * width + x)], rgba[4 * (y * width + x) + 1], rgba[4 * (y * width + x) + 2]);
        var rows = Enumerable.Range(0, height);
        var blue = rows.Where(y => At(y).B > At(y).R + 40).ToList();
        var red = rows.Where(y => At(y).R > At(y).B + 40).ToList();

        Assert.True(blue.Count > 50 && red.Count > 50, $"{blue.Count} blue and {red.Count} red pixels at x = {x}");
        Assert.True(blue.Max() < red.Min(), $"blue rows {blue.Min()}…{blue.Max()} should lie above red rows {red.Min()}…{red.Max()}");
        var between = Enumerable.Range(blue.Max() + 1, red.Min() - blue.Max() - 1).Select(At).ToList();
        Assert.True(between.Count > 50, $"only {between.Count} pixels between the blue and the red row");
        Assert.All(between, p => Assert.True(Math.Min(p.R, Math.Min(p.G, p.B)) > 225 && Math.Abs(p.R - p.B) < 15,
            $"the zero row should be near white, found ({p.R}, {p.G}, {p.B})"));
    }

    [Fact]
    public void Column_ticks_group_vit_blocks_by_layer()
    {
        var ticks = HeatmapFigure.ColumnTicks(VitB32Blocks());

        Assert.Equal(20, ticks.Count);
        Assert.Equal((0, "class_embedding"), ticks[0]);
        Assert.Equal((5, "ln_pre.bias"), ticks[5]);
        Assert.Equal(Enumerable.Range(0, 12).Select(l => (6 + 12 * l, $"layer {l}")), ticks.Skip(6).Take(12));
        Assert.Equal((150, "ln_post.weight"), ticks[18]);
        Assert.Equal((151, "ln_post.bias"), ticks[19]);
    }

    [Fact]
    public void Column_ticks_thin_out_ungrouped_labels()
    {
        var labels = Enumerable.Range(0, 100).Select(i => $"block{i}").ToList();

        var ticks = HeatmapFigure.ColumnTicks(labels);

        Assert.True(ticks.Count <= HeatmapFigure.MaxColumnTicks, $"{ticks.Count} ticks");
        Assert.Equal(Enumerable.Range(0, 25).Select(i => (4 * i, $"block{4 * i}")), ticks);
        Assert.Equal(30, HeatmapFigure.ColumnTicks(labels.Take(30).ToList()).Count);
    }

    [Fact]
    public void Heatmap_rejects_mismatched_labels_and_NaN()
    {
        using var folder = new TempDirectory();
        var path = folder.File("bad.png");
        var values = Coefficients(3, 4);
        string[] rows = ["r0", "r1", "r2"], columns = ["c0", "c1", "c2", "c3"];

        var rowError = Assert.Throws<ArgumentException>(() =>
            HeatmapFigure.Write(path, "t", ["r0", "r1"], columns, values, "v"));
        Assert.Equal("rowLabels", rowError.ParamName);
        Assert.Contains("2 row labels for a matrix with 3 rows", rowError.Message);

        var columnError = Assert.Throws<ArgumentException>(() =>
            HeatmapFigure.Write(path, "t", rows, ["c0", "c1", "c2", "c3", "c4"], values, "v"));
        Assert.Equal("columnLabels", columnError.ParamName);
        Assert.Contains("5 column labels for a matrix with 4 columns", columnError.Message);

        values[1, 2] = double.NaN;
        var nanError = Assert.Throws<ArgumentException>(() => HeatmapFigure.Write(path, "t", rows, columns, values, "v"));
        Assert.Equal("values", nanError.ParamName);
        Assert.Contains("NaN at row 1 ('r1'), column 2 ('c2') is not finite", nanError.Message);

        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Line_figure_is_a_png_of_the_advertised_size()
    {
        using var folder = new TempDirectory();
        var path = folder.File("plots/accuracy_vs_shots.png");

        LineFigure.Write(path, "Accuracy vs shots", "shots per class", "accuracy (%)", ShotsSeries(), logX: true);

        Assert.Equal((LineFigure.Width, LineFigure.Height), ReadPngSize(File.ReadAllBytes(path)));
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));

        // Both series are drawn in their own palette colour (blue, then orange), left of the legend: aTLAS rises from
        // left to right, zero-shot is flat and below every aTLAS point.
        var (width, height, rgba) = DecodeRgba(File.ReadAllBytes(path));
        var blue = new List<(int X, int Y)>();
        var orange = new List<(int X, int Y)>();
        for (int y = 0; y < height; y++)
            for (int x = 0; x < (int)(0.85 * width); x++) // the legend sits beyond 85 % of the width
            {
                int at = 4 * (y * width + x);
                int r = rgba[at], b = rgba[at + 2];
                if (b > r + 80) blue.Add((x, y));
                else if (r > b + 80) orange.Add((x, y));
            }
        Assert.True(blue.Count > 300 && orange.Count > 300, $"{blue.Count} blue and {orange.Count} orange pixels");
        int left = blue.Min(p => p.X), right = blue.Max(p => p.X);
        double MeanY(List<(int X, int Y)> pixels, int x) => pixels.Where(p => Math.Abs(p.X - x) <= 3).Average(p => p.Y);
        Assert.True(MeanY(blue, left + 3) - MeanY(blue, right - 3) > 0.3 * height,
            $"aTLAS should rise: y = {MeanY(blue, left + 3):F0} px at the left, {MeanY(blue, right - 3):F0} px at the right");
        Assert.True(orange.Max(p => p.Y) - orange.Min(p => p.Y) < 0.03 * height, "zero-shot is flat");
        Assert.True(orange.Min(p => p.Y) > blue.Max(p => p.Y), "zero-shot (48 %) lies below every aTLAS point");
    }

    [Fact]
    public void Line_figure_renders_the_same_bytes_twice()
    {
        using var folder = new TempDirectory();
        LineSeries[] fractions = [new("aTLAS", [0.01, 0.05, 0.1, 0.25, 0.5, 1.0], [70, 75, 78, 81, 83, 84], [1, 1, 0.5, 0.5, 0.2, 0.1])];

        LineFigure.Write(folder.File("a.png"), "Accuracy vs data", "fraction of training data", "accuracy (%)", fractions, logX: true);
        LineFigure.Write(folder.File("b.png"), "Accuracy vs data", "fraction of training data", "accuracy (%)", fractions, logX: true);

        Assert.Equal(File.ReadAllBytes(folder.File("a.png")), File.ReadAllBytes(folder.File("b.png")));
    }

    [Fact]
    public void Line_figure_draws_a_linear_axis_too()
    {
        using var folder = new TempDirectory();
        var path = folder.File("linear.png");
        LineSeries[] linear = [new("zero-shot", [-1, 0, 1], [0.5, 0.2, 0.5])];

        LineFigure.Write(path, "linear", "x", "y", linear);

        Assert.Equal((LineFigure.Width, LineFigure.Height), ReadPngSize(File.ReadAllBytes(path)));
        // The V (0.5, 0.2, 0.5) is drawn: coloured pixels left of the legend, lowest in the middle and high at both ends.
        // A blank plot, a flat or upside-down line, or a series drawn off the axes fails here.
        var (width, height, rgba) = DecodeRgba(File.ReadAllBytes(path));
        bool Coloured(int x, int y)
        {
            int at = 4 * (y * width + x);
            int r = rgba[at], g = rgba[at + 1], b = rgba[at + 2];
            return Math.Max(r, Math.Max(g, b)) - Math.Min(r, Math.Min(g, b)) > 60;
        }
        var columns = Enumerable.Range(0, (int)(0.85 * width)) // the legend sits beyond 85 % of the width
            .Select(x => (X: x, Ys: Enumerable.Range(0, height).Where(y => Coloured(x, y)).ToList()))
            .Where(c => c.Ys.Count > 0)
            .ToList();
        Assert.True(columns.Count > width / 3, $"only {columns.Count} pixel columns hold the line");
        int left = columns[0].X, right = columns[^1].X, middle = (left + right) / 2;
        double MeanY(int x) => columns.Where(c => Math.Abs(c.X - x) <= 3).SelectMany(c => c.Ys).Average();
        double ends = (MeanY(left + 3) + MeanY(right - 3)) / 2, bottom = MeanY(middle);
        Assert.True(bottom - ends > 0.3 * height, $"the middle point (y = {bottom:F0} px) should lie well below the ends (y = {ends:F0} px)");
        Assert.True(Math.Abs(MeanY(left + 3) - MeanY(right - 3)) < 0.05 * height, $"both ends are at 0.5, but drawn at y = {MeanY(left + 3):F0} and {MeanY(right - 3):F0} px");
    }

    [Fact]
    public void Line_figure_rejects_bad_series()
    {
        using var folder = new TempDirectory();
        var path = folder.File("bad.png");

        void Expect(string message, IReadOnlyList<LineSeries> series, bool logX = false)
        {
            var error = Assert.Throws<ArgumentException>(() => LineFigure.Write(path, "t", "x", "y", series, logX));
            Assert.Equal("series", error.ParamName);
            Assert.Contains(message, error.Message);
        }

        Expect("at least one series", []);
        Expect("series 0 ('a') has 3 X values but 2 Y values", [new("a", [1, 2, 3], [1, 2])]);
        Expect("series 1 ('b') has 2 X values but 1 Error values", [new("a", [1, 2], [1, 2]), new("b", [1, 2], [1, 2], [0.1])]);
        Expect("series 0 ('a'): Y[1] = NaN is not finite", [new("a", [1, 2, 3], [1, double.NaN, 3])]);
        Expect("series 0 ('a'): Error[0] = -0.1 is negative", [new("a", [1], [1], [-0.1])]);
        Expect("series 1 ('b'): X[0] = 0 is not positive", [new("a", [1, 2], [1, 2]), new("b", [0, 2], [1, 2])], logX: true);
        Expect("series 0 ('a'): X[1] = -2 is not positive", [new("a", [1, -2], [1, 2])], logX: true);

        Assert.False(File.Exists(path));
    }
}

using Atlas.Data.Images;
using Xunit.Abstractions;

namespace Atlas.Data.Tests.Images;

public sealed class ImageDecoderTests(ITestOutputHelper output)
{
    [Fact]
    public void Decoding_matches_pillow_convert_rgb_for_every_fixture_format()
    {
        // JPEG 4:2:0 and 4:4:4, one-component JPEG, EXIF-rotated JPEG (not rotated), RGB/grey/palette PNG, P6, P5.
        int worst = 0;
        foreach (var entry in PillowFixtures.Cases("decode"))
        {
            string input = entry.GetProperty("input").GetString()!;
            RgbImage decoded = ImageDecoder.Decode(new ImageFile(PillowFixtures.Input(input)));
            Assert.Equal(entry.GetProperty("width").GetInt32(), decoded.Width);
            Assert.Equal(entry.GetProperty("height").GetInt32(), decoded.Height);
            int error = PillowFixtures.MaxAbsDifference(decoded.Pixels, PillowFixtures.ExpectedBytes(entry.GetProperty("expected").GetString()!));
            output.WriteLine($"{input} ({entry.GetProperty("mode").GetString()}): max abs error {error}");
            worst = Math.Max(worst, error);
        }
        Assert.Equal(0, worst);
    }

    [Fact]
    public void File_crop_is_pillow_crop_box_with_black_outside_the_image()
    {
        RgbImage whole = PillowFixtures.PillowDecoded("rgb_37x23.png");
        RgbImage crop = ImageDecoder.Decode(new ImageFileCrop(PillowFixtures.Input("rgb_37x23.png"), 30, -2, 40, 5));
        Assert.Equal(10, crop.Width);
        Assert.Equal(7, crop.Height);
        for (int y = 0; y < 7; y++)
        {
            for (int x = 0; x < 10; x++)
            {
                int sourceX = 30 + x, sourceY = y - 2;
                bool inside = sourceX < 37 && sourceY >= 0;
                for (int c = 0; c < 3; c++)
                {
                    byte expected = inside ? whole.Pixels[(sourceY * 37 + sourceX) * 3 + c] : (byte)0;
                    Assert.Equal(expected, crop.Pixels[(y * 10 + x) * 3 + c]);
                }
            }
        }
    }

    [Fact]
    public void In_memory_image_passes_through_unchanged()
    {
        var image = RgbImage.FromGrey(2, 1, [7, 9]);
        Assert.Same(image, ImageDecoder.Decode(new InMemoryImage(image)));
    }

    [Fact]
    public void Truncated_jpeg_is_refused_naming_the_file()
    {
        using var folder = new TempDirectory();
        byte[] jpeg = File.ReadAllBytes(PillowFixtures.Input("rgb_160x120_420.jpg"));
        string path = Path.Combine(folder.Path, "cut.jpg");
        File.WriteAllBytes(path, jpeg[..(jpeg.Length / 2)]);
        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(new ImageFile(path)));
        Assert.Contains(path, error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Truncated_ppm_is_refused_naming_the_file_and_the_missing_bytes()
    {
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, "cut.ppm");
        File.WriteAllBytes(path, [.. "P6\n# comment\n4 2\n255\n"u8.ToArray(), .. new byte[10]]);
        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(new ImageFile(path)));
        Assert.Contains(path, error.Message);
        Assert.Contains("needs 24 sample bytes, the file has 10", error.Message);
    }

    [Fact]
    public void Hand_written_pgm_with_comment_becomes_grey_rgb()
    {
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, "tiny.pgm");
        File.WriteAllBytes(path, [.. "P5 2 # width then height\n1 255\n"u8.ToArray(), 3, 250]);
        RgbImage image = ImageDecoder.Decode(new ImageFile(path));
        Assert.Equal([3, 3, 3, 250, 250, 250], image.Pixels);
    }

    [Theory]
    // Expected values printed by Pillow 9.4 for these exact bytes (Image.open(...).convert("RGB")): v / maxval · 255
    // rounded half to even (50 / 100 · 255 = 127.5 → 128).
    [InlineData("P5 5 1 100\n", new byte[] { 0, 1, 3, 50, 99 }, new byte[] { 0, 3, 8, 128, 252 })]
    [InlineData("P6 2 1 7\n", new byte[] { 0, 1, 2, 3, 4, 7 }, new byte[] { 0, 36, 73, 109, 146, 255 })]
    public void Netpbm_maxval_below_255_is_rescaled_as_pillow_rescales_it(string header, byte[] samples, byte[] expected)
    {
        using var folder = new TempDirectory();
        string path = folder.File("low.pnm");
        File.WriteAllBytes(path, [.. System.Text.Encoding.ASCII.GetBytes(header), .. samples]);
        RgbImage image = ImageDecoder.Decode(new ImageFile(path));
        byte[] firstChannel = header.StartsWith("P5") ? image.Pixels.Where((_, i) => i % 3 == 0).ToArray() : image.Pixels;
        Assert.Equal(expected, firstChannel);
    }

    [Fact]
    public void Unknown_format_and_missing_file_are_refused_naming_the_file()
    {
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, "notes.jpg");
        File.WriteAllText(path, "these are not pixels");
        var unknown = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(new ImageFile(path)));
        Assert.Contains(path, unknown.Message);
        Assert.Contains("unknown or unsupported image format", unknown.Message);
        string missing = Path.Combine(folder.Path, "absent.png");
        var notThere = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(new ImageFile(missing)));
        Assert.Contains(missing, notThere.Message);
    }

    [Fact]
    public void Empty_file_crop_is_refused_naming_the_file()
    {
        var error = Assert.Throws<ImageDecodeException>(() =>
            ImageDecoder.Decode(new ImageFileCrop(PillowFixtures.Input("rgb_37x23.png"), 5, 5, 5, 9)));
        Assert.Contains("rgb_37x23.png", error.Message);
    }
}

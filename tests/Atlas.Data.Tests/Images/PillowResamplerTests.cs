using Atlas.Data.Images;
using Xunit.Abstractions;

namespace Atlas.Data.Tests.Images;

public sealed class PillowResamplerTests(ITestOutputHelper output)
{
    [Fact]
    public void Resize_matches_pillow_bicubic_byte_for_byte_with_and_without_box()
    {
        // Downscale (both axes, one axis, 3.2× support), upscale, mixed, fractional and integer boxes, a shifted
        // same-size box; inputs are Pillow's own decoded pixels so only the resampler is under test.
        int worst = 0;
        foreach (var entry in PillowFixtures.Cases("resize"))
        {
            RgbImage input = PillowFixtures.PillowDecoded(entry.GetProperty("input").GetString()!);
            var boxJson = entry.GetProperty("box");
            ResampleBox? box = boxJson.ValueKind == System.Text.Json.JsonValueKind.Null
                ? null
                : new ResampleBox(boxJson[0].GetSingle(), boxJson[1].GetSingle(), boxJson[2].GetSingle(), boxJson[3].GetSingle());
            var filter = entry.TryGetProperty("filter", out var f) && f.GetString() == "bilinear" ? ResampleFilter.Bilinear : ResampleFilter.Bicubic;
            int width = entry.GetProperty("width").GetInt32(), height = entry.GetProperty("height").GetInt32();
            RgbImage resized = PillowResampler.Resize(input, width, height, filter, box);
            Assert.Equal((width, height), (resized.Width, resized.Height));
            int error = PillowFixtures.MaxAbsDifference(resized.Pixels, PillowFixtures.ExpectedBytes(entry.GetProperty("expected").GetString()!));
            output.WriteLine($"{entry.GetProperty("input").GetString()} {input.Width}×{input.Height} → {width}×{height} {filter} box {box}: max abs error {error}");
            worst = Math.Max(worst, error);
        }
        Assert.Equal(0, worst);
    }

    [Fact]
    public void Resize_sweep_of_random_sizes_and_boxes_hashes_as_pillow_output()
    {
        // 40 random output sizes (1–300 per side) and fractional boxes, bicubic and bilinear: SHA-256 of the bytes.
        var mismatches = new List<string>();
        foreach (var entry in PillowFixtures.Cases("resize_sweep"))
        {
            RgbImage input = PillowFixtures.PillowDecoded(entry.GetProperty("input").GetString()!);
            var boxJson = entry.GetProperty("box");
            ResampleBox? box = boxJson.ValueKind == System.Text.Json.JsonValueKind.Null
                ? null
                : new ResampleBox(boxJson[0].GetSingle(), boxJson[1].GetSingle(), boxJson[2].GetSingle(), boxJson[3].GetSingle());
            var filter = entry.GetProperty("filter").GetString() == "bilinear" ? ResampleFilter.Bilinear : ResampleFilter.Bicubic;
            int width = entry.GetProperty("width").GetInt32(), height = entry.GetProperty("height").GetInt32();
            RgbImage resized = PillowResampler.Resize(input, width, height, filter, box);
            string digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(resized.Pixels));
            if (digest != entry.GetProperty("sha256").GetString())
            {
                mismatches.Add($"{input.Width}×{input.Height} → {width}×{height} {filter} box {box}");
            }
        }
        output.WriteLine($"{PillowFixtures.Cases("resize_sweep").Count()} sweep cases, {mismatches.Count} differ from Pillow");
        Assert.Empty(mismatches);
    }

    [Fact]
    public void Same_size_whole_box_is_a_copy()
    {
        var image = RgbImage.FromGrey(2, 2, [1, 2, 3, 4]);
        RgbImage copy = PillowResampler.Resize(image, 2, 2);
        Assert.NotSame(image.Pixels, copy.Pixels);
        Assert.Equal(image.Pixels, copy.Pixels);
    }

    [Fact]
    public void Constant_image_stays_constant_through_the_fixed_point_sums()
    {
        // Normalised weights sum to 1 (±rounding), and the half added before the shift makes 200 stay 200.
        var image = RgbImage.FromGrey(7, 5, Enumerable.Repeat((byte)200, 35).ToArray());
        RgbImage resized = PillowResampler.Resize(image, 3, 11);
        Assert.All(resized.Pixels, value => Assert.Equal(200, value));
    }

    [Fact]
    public void Box_outside_the_image_is_refused_as_pillow_refuses_it()
    {
        var image = RgbImage.FromGrey(4, 4, new byte[16]);
        Assert.Throws<ArgumentException>(() => PillowResampler.Resize(image, 2, 2, box: new ResampleBox(-1, 0, 4, 4)));
        Assert.Throws<ArgumentException>(() => PillowResampler.Resize(image, 2, 2, box: new ResampleBox(0, 0, 4.5f, 4)));
        Assert.Throws<ArgumentException>(() => PillowResampler.Resize(image, 0, 2));
    }
}

using Atlas.Data.Images;
using Xunit.Abstractions;

namespace Atlas.Data.Tests.Images;

public sealed class ClipEvalTransformTests(ITestOutputHelper output)
{
    private static ChannelNormalization Clip => new(PillowFixtures.Mean, PillowFixtures.Std);

    [Fact]
    public void Eval_transform_matches_pillow_resize_and_torchvision_crop_and_normalize()
    {
        // Landscape and portrait, upscale and downscale, grey, palette, PPM, PGM, JPEG 4:2:0 and 4:4:4; the reference
        // is Pillow's decode + BICUBIC resize, then torchvision 0.14's crop/ToTensor/Normalize restated in numpy float32.
        float worst = 0;
        foreach (var entry in PillowFixtures.Cases("eval"))
        {
            string input = entry.GetProperty("input").GetString()!;
            int size = entry.GetProperty("size").GetInt32();
            var transform = new ClipEvalTransform(size, Clip);
            RgbImage image = ImageDecoder.Decode(new ImageFile(PillowFixtures.Input(input)));
            var actual = new float[3 * size * size];
            transform.Apply(image, new ScriptedRandom(), actual);
            float[] expected = PillowFixtures.ExpectedFloats(entry.GetProperty("expected").GetString()!);
            Assert.Equal(expected.Length, actual.Length);
            float error = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
            output.WriteLine($"{input} {image.Width}×{image.Height} → {size}: max abs error of the normalised tensor {error}");
            worst = Math.Max(worst, error);
        }
        Assert.Equal(0f, worst);
    }

    [Fact]
    public void Eval_transform_at_224_of_a_500_by_375_jpeg_hashes_as_the_reference()
    {
        var entry = PillowFixtures.Manifest.GetProperty("eval_224");
        var transform = new ClipEvalTransform(224, Clip);
        var actual = new float[3 * 224 * 224];
        transform.Apply(ImageDecoder.Decode(new ImageFile(PillowFixtures.Input(entry.GetProperty("input").GetString()!))), new ScriptedRandom(), actual);
        Assert.Equal(entry.GetProperty("expected_head").EnumerateArray().Select(v => v.GetSingle()), actual.Take(8));
        byte[] bytes = new byte[actual.Length * 4];
        Buffer.BlockCopy(actual, 0, bytes, 0, bytes.Length);
        Assert.Equal(entry.GetProperty("sha256").GetString(), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
    }

    [Theory]
    [InlineData(160, 120, 32, 42, 32)] // int(32·160/120) = int(42.67) = 42: truncated, not rounded
    [InlineData(33, 50, 24, 24, 36)] // int(24·50/33) = int(36.36)
    [InlineData(37, 23, 32, 51, 32)] // int(32·37/23) = int(51.48)
    [InlineData(300, 300, 224, 224, 224)]
    [InlineData(500, 375, 224, 298, 224)] // int(224·500/375) = int(298.67)
    public void Resized_size_is_torchvision_shorter_side_rule(int width, int height, int size, int expectedWidth, int expectedHeight)
    {
        Assert.Equal((expectedWidth, expectedHeight), ClipEvalTransform.ResizedSize(width, height, size));
    }

    [Theory]
    [InlineData(25, 0)] // (25 − 24) / 2 = 0.5 rounds half to even: 0 (int((d + 1) · 0.5) would give 1)
    [InlineData(27, 2)] // 1.5 → 2
    [InlineData(26, 1)]
    public void Centre_crop_corner_is_python_round_half_to_even(int width, int expectedLeft)
    {
        // Height 24 = S, so no resize happens and the crop alone is under test.
        var pixels = new byte[width * 24 * 3];
        for (int x = 0; x < width; x++)
        {
            for (int y = 0; y < 24; y++)
            {
                pixels[(y * width + x) * 3] = (byte)x;
            }
        }
        RgbImage cropped = new ClipEvalTransform(24, Clip).ResizeAndCrop(new RgbImage(width, 24, pixels));
        Assert.Equal((24, 24), (cropped.Width, cropped.Height));
        Assert.Equal(expectedLeft, cropped.Pixels[0]);
    }

    [Fact]
    public void Normalisation_is_byte_over_255_minus_mean_over_std_in_float32()
    {
        var normalization = new ChannelNormalization([0.5, 0.25, 0.0], [0.5, 0.25, 2.0]);
        var image = new RgbImage(1, 1, [255, 0, 51]);
        var values = new float[3];
        normalization.WriteChannelsFirst(image, values);
        Assert.Equal([1f, -1f, 0.1f], values); // (1 − .5)/.5, (0 − .25)/.25, (51/255)/2 = 0.1
    }

    [Fact]
    public void Pixel_values_entry_point_keeps_the_given_order()
    {
        string[] names = ["rgb_64x48.png", "grey_33x50.png", "rgb_160x120_420.jpg"];
        string[] paths = names.Select(PillowFixtures.Input).ToArray();
        using var pixels = ClipEvalTransform.PixelValues(paths, 24, PillowFixtures.Mean, PillowFixtures.Std, workers: 2);
        Assert.Equal([3L, 3, 24, 24], pixels.shape);
        var transform = new ClipEvalTransform(24, Clip);
        float[] all = pixels.data<float>().ToArray();
        for (int i = 0; i < names.Length; i++)
        {
            var expected = new float[3 * 24 * 24];
            transform.Apply(ImageDecoder.Decode(new ImageFile(paths[i])), new ScriptedRandom(), expected);
            Assert.Equal(expected, all.AsSpan(i * expected.Length, expected.Length).ToArray());
        }
    }
}

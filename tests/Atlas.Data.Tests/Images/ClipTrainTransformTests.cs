using Atlas.Data.Images;
using Xunit.Abstractions;

namespace Atlas.Data.Tests.Images;

public sealed class ClipTrainTransformTests(ITestOutputHelper output)
{
    private static ChannelNormalization Clip => new(PillowFixtures.Mean, PillowFixtures.Std);

    private const double Low = 3.0 / 4.0, High = 4.0 / 3.0;

    [Fact]
    public void Crop_parameters_retry_until_a_crop_fits_then_place_it_uniformly()
    {
        // 100×80, scale (0.9, 1). Try 1: area 8000·0.95 = 7600, ratio e^0 = 1 → 87×87, taller than 80: rejected.
        // Try 2: area 7200, ratio 4/3 → w = round(√9600) = round(97.98) = 98, h = round(√5400) = round(73.48) = 73: fits.
        // Then top = randint(0, 80 − 73 + 1) and left = randint(0, 100 − 98 + 1).
        var random = new ScriptedRandom([0.5, 0.5, 0.0, 1.0], [5, 2]);
        CropRegion crop = RandomResizedCropParameters.Draw(100, 80, 0.9, 1.0, Low, High, random);
        Assert.Equal(new CropRegion(Top: 5, Left: 2, Height: 73, Width: 98), crop);
        Assert.Equal([8, 3], random.IntegerBounds);
        Assert.True(random.Exhausted);
    }

    [Theory]
    // 100×80: every try asks for 89×89 (area 8000, ratio 1), too tall; ratio 1.25 is inside (3/4, 4/3): the whole image.
    [InlineData(100, 80, 0, 0, 80, 100)]
    // 300×100: 173×173 never fits; ratio 3 > 4/3 → height 100, width round(133.33) = 133, left (300 − 133) // 2 = 83.
    [InlineData(300, 100, 0, 83, 100, 133)]
    // 50×200: 100×100 never fits; ratio 0.25 < 3/4 → width 50, height round(66.67) = 67, top (200 − 67) // 2 = 66.
    [InlineData(50, 200, 66, 0, 67, 50)]
    public void After_ten_failed_tries_the_centre_crop_clamps_the_ratio(int width, int height, int top, int left, int cropHeight, int cropWidth)
    {
        var random = new ScriptedRandom(Enumerable.Range(0, 10).SelectMany(_ => new[] { 1.0, 0.5 }).ToArray());
        CropRegion crop = RandomResizedCropParameters.Draw(width, height, 0.9, 1.0, Low, High, random);
        Assert.Equal(new CropRegion(top, left, cropHeight, cropWidth), crop);
        Assert.True(random.Exhausted); // exactly ten tries, no placement draws
    }

    [Fact]
    public void Resized_crop_and_flip_match_pillow_crop_resize_transpose()
    {
        int worst = 0;
        foreach (var entry in PillowFixtures.Cases("resized_crop"))
        {
            RgbImage input = PillowFixtures.PillowDecoded(entry.GetProperty("input").GetString()!);
            var crop = new CropRegion(entry.GetProperty("top").GetInt32(), entry.GetProperty("left").GetInt32(),
                entry.GetProperty("height").GetInt32(), entry.GetProperty("width").GetInt32());
            RgbImage actual = ClipTrainTransform.ResizedCrop(input, crop, entry.GetProperty("size").GetInt32(), entry.GetProperty("flip").GetBoolean());
            int error = PillowFixtures.MaxAbsDifference(actual.Pixels, PillowFixtures.ExpectedBytes(entry.GetProperty("expected").GetString()!));
            output.WriteLine($"{entry.GetProperty("input").GetString()} {crop} flip {entry.GetProperty("flip").GetBoolean()}: max abs error {error}");
            worst = Math.Max(worst, error);
        }
        Assert.Equal(0, worst);
    }

    [Theory]
    [InlineData(0.3, true)]
    [InlineData(0.7, false)]
    public void Tip_recipe_crops_from_half_the_area_then_flips_when_the_draw_is_below_one_half(double flipDraw, bool flipped)
    {
        // Scale (0.5, 1) with u = 0: area 4000 of 100×80, ratio 1 → 63×63 (round(63.25)); top 17 of 18, left 0 of 38.
        RgbImage image = PillowFixtures.PillowDecoded("rgb_160x120_420.jpg");
        image = ImageGeometry.Crop(image, 0, 0, 100, 80);
        var random = new ScriptedRandom([0.0, 0.5, flipDraw], [17, 0]);
        var transform = new ClipTrainTransform(24, TrainAugmentation.TipResizedCropFlip, Clip);
        RgbImage actual = transform.Augment(image, random);
        Assert.Equal([18, 38], random.IntegerBounds);
        Assert.True(random.Exhausted);
        Assert.Equal(ClipTrainTransform.ResizedCrop(image, new CropRegion(17, 0, 63, 63), 24, flipped).Pixels, actual.Pixels);
    }

    [Fact]
    public void Open_clip_recipe_crops_from_ninety_percent_and_never_draws_a_flip()
    {
        RgbImage image = ImageGeometry.Crop(PillowFixtures.PillowDecoded("rgb_160x120_420.jpg"), 0, 0, 100, 80);
        var random = new ScriptedRandom([0.5, 0.5, 0.0, 1.0], [5, 2]); // the retry example above: (5, 2, 73, 98)
        var transform = new ClipTrainTransform(24, TrainAugmentation.OpenClipResizedCrop, Clip);
        RgbImage actual = transform.Augment(image, random);
        Assert.True(random.Exhausted);
        Assert.Equal(ClipTrainTransform.ResizedCrop(image, new CropRegion(5, 2, 73, 98), 24, flip: false).Pixels, actual.Pixels);
    }

    [Fact]
    public void Sample_random_depends_on_seed_epoch_and_sample_only()
    {
        static double[] Draws(ulong seed, int epoch, int sample)
        {
            var random = SampleRandom.For(seed, epoch, sample);
            return [random.NextUnit(), random.NextUnit(), random.NextInt(1000)];
        }
        Assert.Equal(Draws(7, 2, 11), Draws(7, 2, 11));
        Assert.NotEqual(Draws(7, 2, 11), Draws(7, 3, 11));
        Assert.NotEqual(Draws(7, 2, 11), Draws(7, 2, 12));
        Assert.NotEqual(Draws(7, 2, 11), Draws(8, 2, 11));
        Assert.All(Draws(1, 0, 0).Take(2), u => Assert.InRange(u, 0.0, 1.0 - 1e-17));
    }
}

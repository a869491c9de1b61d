using Atlas.Data.Datasets;
using Atlas.Data.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Data.Tests.Images;

public sealed class FileImageSetTests
{
    private static readonly string[] Inputs = ["rgb_64x48.png", "rgb_160x120_420.jpg", "rgb_37x23.png", "rgb_61x45.ppm", "grey_33x50.png"];

    private static FileImageSet Set(int workers, string transform = TaskViewBuilder.None, int size = 32) =>
        new([.. Inputs.Select((name, i) => new LabelledImage(new ImageFile(PillowFixtures.Input(name)), i))],
            [4, 3, 2, 1, 0], size, transform, workers);

    [Fact]
    public void Unaugmented_images_normalised_by_the_model_equal_pillow_and_torchvision_eval_preprocessing()
    {
        // The two size-32 cases of the Pillow fixtures: decode + BICUBIC resize + centre crop + ToTensor + Normalize,
        // computed by Pillow 9.4 and numpy. The set gives ToTensor's [0, 1]; the model's Normalize completes it.
        using var set = new FileImageSet(
            [new(new ImageFile(PillowFixtures.Input("rgb_160x120_420.jpg")), 0), new(new ImageFile(PillowFixtures.Input("rgb_37x23.png")), 1)],
            [0, 1], 32, TaskViewBuilder.None, workers: 2);
        using var pixels = set.LoadRange(0, 2);
        using var normalised = ImageNormalization.Normalize(pixels, PillowFixtures.Mean, PillowFixtures.Std);
        Assert.Equal([2, 3, 32, 32], normalised.shape);
        float[] actual = normalised.data<float>().ToArray();
        float[] expected = [.. PillowFixtures.ExpectedFloats("eval_00.f32"), .. PillowFixtures.ExpectedFloats("eval_01.f32")];
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max() <= 1e-6f);
    }

    [Fact]
    public void Labels_are_the_task_labels_given_and_subsets_keep_them_with_their_images()
    {
        using var set = Set(workers: 1);
        Assert.Equal(new long[] { 4, 3, 2, 1, 0 }, set.Labels.data<long>().ToArray());
        using var subset = set.Subset([3, 1]);
        Assert.Equal(new long[] { 1, 3 }, subset.Labels.data<long>().ToArray());
        using var whole = set.LoadRange(0, 5);
        using var picked = subset.LoadRange(0, 2);
        Assert.True(picked.equal(whole.index_select(0, tensor(new long[] { 3, 1 }))).all().item<bool>());
    }

    [Fact]
    public void Augmented_batches_depend_on_seed_and_step_only_not_on_the_decoding_threads()
    {
        var augmentation = new BatchAugmentation(0.5, 1.0, 0.5);
        using var one = Set(workers: 1);
        using var three = Set(workers: 3);
        using var a = one.LoadBatch([4, 0, 2], augmentation, seed: 9, step: 3);
        using var b = three.LoadBatch([4, 0, 2], augmentation, seed: 9, step: 3);
        using var otherStep = three.LoadBatch([4, 0, 2], augmentation, seed: 9, step: 4);
        using var plain = three.LoadBatch([4, 0, 2], null, seed: 9, step: 3);
        Assert.True(a.equal(b).all().item<bool>());
        Assert.False(a.equal(otherStep).all().item<bool>());
        Assert.False(a.equal(plain).all().item<bool>());
        // Sample 4 of step 3 is the paper's crop-and-mirror of its file drawn from (seed 9, step 3, sample 4).
        var transform = new ClipTrainTransform(32, 0.5, 1.0, flips: true, new ChannelNormalization([0, 0, 0], [1, 1, 1]));
        var expected = new float[3 * 32 * 32];
        transform.Apply(ImageDecoder.Decode(new ImageFile(PillowFixtures.Input(Inputs[4]))), SampleRandom.For(9, 3, 4), expected);
        Assert.Equal(expected, a[0].flatten().data<float>().ToArray());
    }

    [Fact]
    public void The_task_transform_applies_after_loading()
    {
        using var plain = Set(workers: 2);
        using var inverted = Set(workers: 2, TaskViewBuilder.Invert);
        using var x = plain.LoadRange(1, 2);
        using var y = inverted.LoadRange(1, 2);
        using Scalar one = 1.0.ToScalar();
        Assert.True(y.allclose(x.neg().add(one), rtol: 0, atol: 1e-7));
    }

    [Fact]
    public void A_mirror_probability_other_than_torchvisions_half_is_refused()
    {
        using var set = Set(workers: 1);
        var error = Assert.Throws<ArgumentException>(() => set.LoadBatch([0], new BatchAugmentation(0.9, 1.0, 0.3), 1, 0));
        Assert.Contains("0.3", error.Message);
    }

    [Fact]
    public void A_missing_file_is_named_when_its_batch_is_loaded()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"atlas-missing-{Guid.NewGuid():N}.png");
        using var set = new FileImageSet([new(new ImageFile(missing), 0)], [0], 32, TaskViewBuilder.None, workers: 1);
        var error = Assert.ThrowsAny<Exception>(() => set.LoadRange(0, 1));
        Assert.Contains(missing, error.Message);
    }
}

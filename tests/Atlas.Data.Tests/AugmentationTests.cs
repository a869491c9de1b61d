using static TorchSharp.torch;

namespace Atlas.Data.Tests;

public sealed class AugmentationTests
{
    private static Tensor Batch()
    {
        using var scope = NewDisposeScope();
        return rand([6, 1, 28, 28], generator: new Generator(11)).MoveToOuterDisposeScope();
    }

    [Fact]
    public void Random_resized_crop_is_reproducible_under_the_same_generator_seed()
    {
        using var scope = NewDisposeScope();
        var crop = new RandomResizedCrop(0.5, 1.0);
        Tensor images = Batch();

        Tensor first = crop.Apply(images, new Generator(3));
        Tensor again = crop.Apply(images, new Generator(3));
        Tensor other = crop.Apply(images, new Generator(4));

        Assert.Equal(images.shape, first.shape);
        Assert.True(TensorAssert.Identical(first, again));
        Assert.False(first.allclose(other));
        Assert.True(first.min().item<float>() >= 0f && first.max().item<float>() <= 1f);
    }

    [Fact]
    public void Full_area_square_crop_is_the_identity()
    {
        using var scope = NewDisposeScope();
        Tensor images = Batch();

        Tensor cropped = new RandomResizedCrop(1.0, 1.0, 1.0, 1.0).Apply(images, new Generator(3));

        // Exact up to float32 rounding in the grid coordinates.
        Assert.True(cropped.allclose(images, rtol: 0, atol: 1e-5), $"max |difference| {(cropped - images).abs().max().item<float>()}");
    }

    [Fact]
    public void Horizontal_flip_mirrors_all_or_none_at_the_extremes()
    {
        using var scope = NewDisposeScope();
        Tensor images = Batch();

        Assert.True(TensorAssert.Identical(new RandomHorizontalFlip(1.0).Apply(images, new Generator(1)), images.flip(3)));
        Assert.True(TensorAssert.Identical(new RandomHorizontalFlip(0.0).Apply(images, new Generator(1)), images));
    }

    [Fact]
    public void Horizontal_flip_is_reproducible_and_per_image()
    {
        using var scope = NewDisposeScope();
        Tensor images = rand([64, 1, 4, 4], generator: new Generator(5));
        var flip = new RandomHorizontalFlip(0.5);

        Tensor first = flip.Apply(images, new Generator(9));
        Tensor again = flip.Apply(images, new Generator(9));

        Assert.True(TensorAssert.Identical(first, again));
        int flipped = Enumerable.Range(0, 64).Count(i => TensorAssert.Identical(first[i], images[i].flip(2)));
        Assert.InRange(flipped, 16, 48);
    }

    [Fact]
    public void Normalize_standardises_each_channel()
    {
        using var scope = NewDisposeScope();
        Tensor images = stack([full([2, 2], 0.5f), full([2, 2], 0.25f)]).unsqueeze(0);

        Tensor normalized = ImageNormalization.Normalize(images, [0.5, 0.0], [1.0, 0.5]);

        Assert.Equal([0f, 0f, 0f, 0f, 0.5f, 0.5f, 0.5f, 0.5f], normalized.reshape(-1).data<float>().ToArray());
    }

    [Fact]
    public void Normalize_needs_one_statistic_per_channel()
    {
        var error = Assert.Throws<ArgumentException>(() => ImageNormalization.Normalize(zeros(1, 3, 2, 2), [0.5], [0.5]));

        Assert.Contains("per channel (3)", error.Message);
    }
}

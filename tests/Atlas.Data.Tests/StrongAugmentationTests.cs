using static TorchSharp.torch;

namespace Atlas.Data.Tests;

public sealed class StrongAugmentationTests
{
    private static Tensor Batch()
    {
        using var scope = NewDisposeScope();
        return rand([8, 3, 16, 16], generator: new Generator(21)).MoveToOuterDisposeScope();
    }

    [Fact]
    public void Same_generator_seed_gives_identical_output_and_another_seed_different_output()
    {
        using var scope = NewDisposeScope();
        var augmentation = new StrongAugmentation();
        Tensor images = Batch();

        Tensor first = augmentation.Apply(images, new Generator(3));
        Tensor again = augmentation.Apply(images, new Generator(3));
        Tensor other = augmentation.Apply(images, new Generator(4));

        Assert.True(TensorAssert.Identical(first, again));
        Assert.False(first.allclose(other));
    }

    [Fact]
    public void Output_keeps_shape_dtype_and_the_input_value_range()
    {
        using var scope = NewDisposeScope();
        Tensor images = Batch();

        Tensor augmented = new StrongAugmentation().Apply(images, new Generator(5));

        Assert.Equal(images.shape, augmented.shape);
        Assert.Equal(images.dtype, augmented.dtype);
        // Bilinear resampling with border padding and flips never leave the input's range.
        Assert.True(augmented.min().item<float>() >= images.min().item<float>());
        Assert.True(augmented.max().item<float>() <= images.max().item<float>());
        Assert.False(augmented.allclose(images));
    }

    [Fact]
    public void Is_the_paper_crop_then_flip_drawn_from_one_generator()
    {
        using var scope = NewDisposeScope();
        var augmentation = new StrongAugmentation();
        Tensor images = Batch();

        var generator = new Generator(7);
        Tensor expected = new RandomHorizontalFlip(0.5).Apply(new RandomResizedCrop(0.5, 1.0).Apply(images, generator), generator);

        Assert.True(TensorAssert.Identical(expected, augmentation.Apply(images, new Generator(7))));
        Assert.Equal(0.5, augmentation.Crop.ScaleMin);
        Assert.Equal(1.0, augmentation.Crop.ScaleMax);
        Assert.Equal(0.5, augmentation.Flip.Probability);
    }

    [Fact]
    public void Generators_seeded_by_seed_and_step_are_reproducible_per_step()
    {
        using var scope = NewDisposeScope();
        var augmentation = new StrongAugmentation();
        Tensor images = Batch();

        Tensor step3 = augmentation.Apply(images, StrongAugmentation.GeneratorFor(seed: 1, step: 3));

        Assert.True(TensorAssert.Identical(step3, augmentation.Apply(images, StrongAugmentation.GeneratorFor(1, 3))));
        Assert.False(step3.allclose(augmentation.Apply(images, StrongAugmentation.GeneratorFor(1, 4))));
        Assert.False(step3.allclose(augmentation.Apply(images, StrongAugmentation.GeneratorFor(2, 3))));
    }

    [Fact]
    public void Non_batch_input_is_rejected_with_its_shape()
    {
        var error = Assert.Throws<ArgumentException>(() => new StrongAugmentation().Apply(zeros(3, 16, 16), new Generator(1)));

        Assert.Contains("[3, 16, 16]", error.Message);
    }
}

using Atlas.Data;
using Atlas.Pipeline.Specs;
using Atlas.Stages.TestTime;
using static TorchSharp.torch;

namespace Atlas.Stages.Tests;

/// <summary>SAR adapts on the augmented views of the test images by default, as the reference does (aTLAS's
/// <c>entropy_sar</c> loads the test split through TIP's crop and flip), and both SAM passes of a step see the same
/// views; the un-augmented images stay an option.</summary>
public sealed class TestTimeSarBatchesTests
{
    private static readonly CoefficientTraining Learn = new() { Lr = 1e-3, Epochs = 1, Batch = 4, CropScale = [0.5, 1.0] };

    [Fact]
    public void Sar_adapts_on_augmented_views_by_default_and_both_passes_of_a_step_see_the_same_views()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(11);
        var images = rand([8, 3, 16, 16], generator: generator);
        var labels = arange(8L); // the label of an image is its index, to find the images a batch took
        Assert.Equal(SarViews.Augmented, new SarSpec().Views);

        var augmented = TestTimeStage.SarBatches(new TaskView(images, labels), Learn, new SarSpec().Views, seed: 5);
        var plain = TestTimeStage.SarBatches(new TaskView(images, labels), Learn, SarViews.Plain, seed: 5);
        for (long step = 0; step < 3; step++)
        {
            var (views, taken) = augmented.At(step);
            var (again, _) = augmented.At(step);
            var (unaugmented, plainTaken) = plain.At(step);
            Assert.Equal(taken.data<long>().ToArray(), plainTaken.data<long>().ToArray()); // the same images...
            Assert.True(unaugmented.eq(images.index_select(0, plainTaken)).all().item<bool>()); // ...plain as they are
            Assert.Equal(unaugmented.shape, views.shape);
            Assert.False(views.allclose(unaugmented, rtol: 0, atol: 1e-3), $"step {step}: the default views must be augmented");
            Assert.True(views.eq(again).all().item<bool>(), $"step {step}: SAM's two passes must see the same views");
        }
    }
}

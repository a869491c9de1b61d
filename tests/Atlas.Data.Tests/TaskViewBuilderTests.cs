using static TorchSharp.torch;

namespace Atlas.Data.Tests;

public sealed class TaskViewBuilderTests
{
    private static Tensor TwoByTwo() => tensor(new float[] { 0.1f, 0.2f, 0.3f, 0.4f }).reshape(1, 1, 2, 2);

    private static float[] Values(Tensor images) => images.reshape(-1).data<float>().ToArray();

    [Fact]
    public void Invert_is_one_minus_x()
    {
        using var scope = NewDisposeScope();
        Assert.Equal([0.9f, 0.8f, 0.7f, 0.6f], Values(TaskViewBuilder.ApplyTransform(TwoByTwo(), TaskViewBuilder.Invert)), new FloatEquality(1e-7f));
    }

    [Fact]
    public void Rotate90_turns_counter_clockwise_and_rotate180_twice_as_far()
    {
        using var scope = NewDisposeScope();
        // [[a, b], [c, d]] → [[b, d], [a, c]] counter-clockwise; → [[d, c], [b, a]] half a turn.
        Assert.Equal([0.2f, 0.4f, 0.1f, 0.3f], Values(TaskViewBuilder.ApplyTransform(TwoByTwo(), TaskViewBuilder.Rotate90)));
        Assert.Equal([0.4f, 0.3f, 0.2f, 0.1f], Values(TaskViewBuilder.ApplyTransform(TwoByTwo(), TaskViewBuilder.Rotate180)));
        Assert.Equal([0.1f, 0.2f, 0.3f, 0.4f], Values(TaskViewBuilder.ApplyTransform(TwoByTwo(), TaskViewBuilder.None)));
    }

    [Fact]
    public void Unknown_transform_lists_the_valid_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => TaskViewBuilder.ApplyTransform(TwoByTwo(), "blur"));

        Assert.Contains("'blur'", error.Message);
        Assert.Contains("none, invert, rotate90, rotate180", error.Message);
    }

    [Fact]
    public void Build_selects_transforms_and_relabels()
    {
        using ImageSource source = ToySource();
        var parity = new Dictionary<long, long> { [0] = 0, [1] = 1, [2] = 0 };

        using TaskView view = TaskViewBuilder.Build(source, [3, 1], TaskViewBuilder.Invert, parity);

        Assert.Equal([2, 1, 28, 28], view.Images.shape);
        Assert.Equal(ScalarType.Int64, view.Labels.dtype);
        Assert.Equal([1L, 1L], view.Labels.data<long>().ToArray());
        Assert.Equal(1f - 0.3f, view.Images[0, 0, 5, 5].item<float>(), 1e-6f);
        Assert.Equal(1f - 0.1f, view.Images[1, 0, 5, 5].item<float>(), 1e-6f);
    }

    [Fact]
    public void Build_rejects_a_label_missing_from_the_map()
    {
        using ImageSource source = ToySource();

        var error = Assert.Throws<ArgumentException>(
            () => TaskViewBuilder.Build(source, [0, 2], TaskViewBuilder.None, new Dictionary<long, long> { [0] = 0 }));

        Assert.Contains("label 2 (c2, image 2)", error.Message);
    }

    // Image i is filled with i / 10; labels 0, 1, 2, 1.
    private static ImageSource ToySource()
    {
        using var scope = NewDisposeScope();
        Tensor images = (arange(4, ScalarType.Float32) / 10).view(4, 1, 1, 1).expand(4, 1, 28, 28).contiguous();
        return new ImageSource("toy", images.MoveToOuterDisposeScope(), [0, 1, 2, 1], ["c0", "c1", "c2"], "none");
    }

    private sealed class FloatEquality(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}

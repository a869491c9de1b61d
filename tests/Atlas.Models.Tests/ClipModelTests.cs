using Atlas.Models;
using static TorchSharp.torch;

namespace Atlas.Models.Tests;

public class ClipModelTests
{
    [Fact]
    public void Parameter_names_and_order_are_open_clips()
    {
        using var model = new ClipModel(ClipConfig.Mini, seed: 0);
        Assert.Equal(ClipParameterNames.All(ClipConfig.Mini), model.named_parameters().Select(p => p.name));
        Assert.Equal(ClipParameterNames.All(ClipConfig.Mini), model.state_dict().Keys);
        Assert.All(model.parameters(), p => Assert.True(p.requires_grad));
    }

    [Fact]
    public void Module_forward_equals_functional_forward()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(105); // explicit seed: the global generator depends on test order
        var weights = ClipInitializer.Initialize(ClipConfig.Mini, seed: 5);
        using var model = new ClipModel(ClipConfig.Mini, weights);
        var images = randn([4, 1, 28, 28], generator: generator);
        var tokens = new HashingWordTokenizer(2048).Encode(["a photo of a cat", "digit seven"], 16);
        Assert.True(TensorAssert.Identical(model.forward(images), ClipForward.EncodeImage(images, weights, ClipConfig.Mini.Vision)));
        Assert.True(TensorAssert.Identical(model.EncodeText(tokens), ClipForward.EncodeText(tokens, weights, ClipConfig.Mini.Text)));
    }

    [Fact]
    public void Seeded_model_matches_seeded_weights_and_loads_by_name()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(106); // explicit seed: the global generator depends on test order
        using var model = new ClipModel(ClipConfig.Mini, seed: 9);
        var weights = ClipInitializer.Initialize(ClipConfig.Mini, seed: 9);
        foreach (var (name, parameter) in model.named_parameters()) Assert.True(TensorAssert.Identical(parameter, weights[name]), name);

        using var other = new ClipModel(ClipConfig.Mini, seed: 10);
        other.load_state_dict(model.state_dict());
        var images = randn([2, 1, 28, 28], generator: generator);
        Assert.True(TensorAssert.Identical(other.forward(images), model.forward(images)));
    }

    [Fact]
    public void Parameters_outlive_the_dispose_scope_the_model_was_built_in()
    {
        ClipModel seeded, fromWeights;
        using (NewDisposeScope())
        {
            seeded = new ClipModel(ClipConfig.Mini, seed: 0);
            fromWeights = new ClipModel(ClipConfig.Mini, ClipInitializer.Initialize(ClipConfig.Mini, seed: 1));
        }
        using var scope = NewDisposeScope();
        using var generator = new Generator(107); // explicit seed: the global generator depends on test order
        var images = randn([2, 1, 28, 28], generator: generator);
        Assert.Equal([2L, 64], seeded.forward(images).shape);
        Assert.Equal([2L, 64], fromWeights.forward(images).shape);
        seeded.Dispose();
        fromWeights.Dispose();
    }

    [Fact]
    public void Mismatched_weights_are_rejected()
    {
        using var scope = NewDisposeScope();
        var weights = ClipInitializer.Initialize(ClipConfig.Mini, seed: 0);
        weights["visual.proj"] = zeros(64, 32);
        Assert.Contains("visual.proj", Assert.Throws<ArgumentException>(() => new ClipModel(ClipConfig.Mini, weights)).Message);
        weights.Remove("visual.proj");
        Assert.Contains("visual.proj", Assert.Throws<ArgumentException>(() => new ClipModel(ClipConfig.Mini, weights)).Message);
    }
}

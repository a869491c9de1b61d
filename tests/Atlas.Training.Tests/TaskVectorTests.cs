using Atlas.Method;
using static TorchSharp.torch;

namespace Atlas.Training.Tests;

public class TaskVectorTests
{
    private static readonly string[] Names = ["a.weight", "b.bias", "c.scale"];

    // Small dyadic values: θ_ft − θ0 and θ0 + τ are exact in float32, so exact reproduction is a fair demand.
    private static Dictionary<string, Tensor> Pretrained() => new()
    {
        ["a.weight"] = tensor(new float[] { 1, -2, 0.5f, 3, 4.25f, -1 }, 2, 3),
        ["b.bias"] = tensor(new float[] { 0.125f, -0.75f }),
        ["c.scale"] = tensor(2.5f),
        ["untouched"] = tensor(new float[] { 9, 9 }),
    };

    private static Dictionary<string, Tensor> FineTuned() => new()
    {
        ["a.weight"] = tensor(new float[] { 1.5f, -2.25f, 0.5f, 2, 4, -0.5f }, 2, 3),
        ["b.bias"] = tensor(new float[] { 0.25f, -1 }),
        ["c.scale"] = tensor(3f),
        ["untouched"] = tensor(new float[] { 7, 7 }),
    };

    [Fact]
    public void Deltas_are_finetuned_minus_pretrained_by_name_whatever_the_dictionary_order()
    {
        using var scope = NewDisposeScope();
        var pretrained = Pretrained();
        var finetuned = FineTuned();
        var reversed = finetuned.Reverse().ToDictionary();
        Assert.NotEqual(finetuned.Keys.First(), reversed.Keys.First());

        using var tau = TaskVector.FromWeights(pretrained, finetuned, Names);
        using var tauReversed = TaskVector.FromWeights(pretrained.Reverse().ToDictionary(), reversed, Enumerable.Reverse(Names));

        Assert.Equal(Names.OrderBy(n => n), tau.Deltas.Keys.OrderBy(n => n));
        foreach (var name in Names)
        {
            var expected = TestSupport.Doubles(finetuned[name]).Zip(TestSupport.Doubles(pretrained[name]), (f, p) => f - p);
            Assert.Equal(expected, TestSupport.Doubles(tau.Deltas[name]));
            Assert.True(TensorAssert.Identical(tau.Deltas[name], tauReversed.Deltas[name]), name);
        }
        Assert.False(tau.Deltas.ContainsKey("untouched"));
    }

    [Fact]
    public void A_missing_parameter_is_reported_by_name()
    {
        using var scope = NewDisposeScope();
        var finetuned = FineTuned();
        finetuned.Remove("b.bias");
        var error = Assert.Throws<KeyNotFoundException>(() => TaskVector.FromWeights(Pretrained(), finetuned, Names));
        Assert.Contains("b.bias", error.Message);

        var pretrained = Pretrained();
        pretrained.Remove("c.scale");
        error = Assert.Throws<KeyNotFoundException>(() => TaskVector.FromWeights(pretrained, FineTuned(), Names));
        Assert.Contains("c.scale", error.Message);

        using var tau = TaskVector.FromWeights(Pretrained(), FineTuned(), Names);
        error = Assert.Throws<KeyNotFoundException>(() => tau.ApplyTo(pretrained, 1));
        Assert.Contains("c.scale", error.Message);
    }

    [Fact]
    public void A_shape_mismatch_is_reported_by_name()
    {
        using var scope = NewDisposeScope();
        var finetuned = FineTuned();
        finetuned["a.weight"] = zeros(3, 2);
        var error = Assert.Throws<ArgumentException>(() => TaskVector.FromWeights(Pretrained(), finetuned, Names));
        Assert.Contains("a.weight", error.Message);

        using var tau = TaskVector.FromWeights(Pretrained(), FineTuned(), Names);
        var pretrained = Pretrained();
        pretrained["b.bias"] = zeros(3);
        error = Assert.Throws<ArgumentException>(() => tau.ApplyTo(pretrained, 0.5));
        Assert.Contains("b.bias", error.Message);
    }

    [Fact]
    public void Applying_with_scale_one_gives_the_finetuned_weights_and_scale_zero_the_pretrained_ones()
    {
        using var scope = NewDisposeScope();
        var pretrained = Pretrained();
        var finetuned = FineTuned();
        using var tau = TaskVector.FromWeights(pretrained, finetuned, Names);

        var one = tau.ApplyTo(pretrained, 1);
        var zero = tau.ApplyTo(pretrained, 0);
        Assert.Equal(pretrained.Keys, one.Keys);
        foreach (var name in Names)
        {
            Assert.True(TensorAssert.Identical(finetuned[name], one[name]), name);
            Assert.True(TensorAssert.Identical(pretrained[name], zero[name]), name);
        }
        // A parameter τ does not name passes through as θ0 (not θ_ft).
        Assert.True(TensorAssert.Identical(pretrained["untouched"], one["untouched"]));

        var half = tau.ApplyTo(pretrained, 0.5);
        var expected = TestSupport.Doubles(pretrained["a.weight"]).Zip(TestSupport.Doubles(finetuned["a.weight"]), (p, f) => (p + f) / 2);
        Assert.Equal(expected, TestSupport.Doubles(half["a.weight"]));
    }

    [Fact]
    public void Random_weights_round_trip_to_rounding()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(108); // explicit seed: the global generator depends on test order
        var pretrained = new Dictionary<string, Tensor> { ["w"] = randn([17, 5], generator: generator) };
        var finetuned = new Dictionary<string, Tensor> { ["w"] = pretrained["w"] + 0.01 * randn([17, 5], generator: generator) };
        using var tau = TaskVector.FromWeights(pretrained, finetuned, ["w"]);
        Assert.True(finetuned["w"].allclose(tau.ApplyTo(pretrained, 1)["w"], rtol: 0, atol: 1e-6));
        Assert.True(TensorAssert.Identical(pretrained["w"], tau.ApplyTo(pretrained, 0)["w"]));
    }

    [Fact]
    public void Squared_norm_is_the_sum_of_squared_deltas()
    {
        using var scope = NewDisposeScope();
        var pretrained = Pretrained();
        var finetuned = FineTuned();
        using var tau = TaskVector.FromWeights(pretrained, finetuned, Names);
        double expected = Names.Sum(name =>
            TestSupport.Doubles(finetuned[name]).Zip(TestSupport.Doubles(pretrained[name]), (f, p) => (f - p) * (f - p)).Sum());
        // 0.25 + 0.0625 + 0 + 1 + 0.0625 + 0.25 + 0.015625 + 0.0625 + 0.25
        Assert.Equal(1.953125, expected, 12);
        Assert.Equal(expected, tau.SquaredNorm(), 12);
    }

    [Fact]
    public void Deltas_do_not_alias_the_inputs()
    {
        using var scope = NewDisposeScope();
        var pretrained = Pretrained();
        var finetuned = FineTuned();
        using var tau = TaskVector.FromWeights(pretrained, finetuned, Names);
        var before = tau.Deltas["a.weight"].clone();
        finetuned["a.weight"].add_(100);
        pretrained["a.weight"].add_(-100);
        Assert.True(TensorAssert.Identical(before, tau.Deltas["a.weight"]));
    }
}

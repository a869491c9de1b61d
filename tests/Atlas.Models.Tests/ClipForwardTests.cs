using Atlas.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Models.Tests;

public class ClipForwardTests
{
    private static readonly ClipConfig Mini = ClipConfig.Mini;

    private static Tensor Tokens(params long[][] rows) =>
        tensor(rows.SelectMany(r => r).ToArray(), rows.Length, rows[0].Length);

    [Fact]
    public void Output_shapes()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(101); // explicit seed: the global generator depends on test order
        var weights = ClipInitializer.Initialize(Mini, seed: 1);
        var images = randn([5, 1, 28, 28], generator: generator);
        Assert.Equal([5L, 64], ClipForward.EncodeImage(images, weights, Mini.Vision).shape);
        var tokens = new HashingWordTokenizer(2048).Encode(["a photo of a cat", "a dog", "x"], 16);
        Assert.Equal([3L, 64], ClipForward.EncodeText(tokens, weights, Mini.Text).shape);
        Assert.Equal([3L, 16, 64], ClipForward.TextHiddenStates(tokens, weights, Mini.Text).shape);
    }

    [Fact]
    public void Image_tower_reads_only_visual_weights()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(102); // explicit seed: the global generator depends on test order
        var weights = ClipInitializer.Initialize(Mini, seed: 1);
        var visual = weights.Where(p => p.Key.StartsWith(ClipParameterNames.VisualPrefix)).ToDictionary();
        var images = randn([2, 1, 28, 28], generator: generator);
        Assert.True(TensorAssert.Identical(
            ClipForward.EncodeImage(images, visual, Mini.Vision), ClipForward.EncodeImage(images, weights, Mini.Vision)));
    }

    [Fact]
    public void Missing_weight_and_bad_input_are_reported()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(103); // explicit seed: the global generator depends on test order
        var weights = ClipInitializer.Initialize(Mini, seed: 1);
        weights.Remove("visual.ln_post.bias");
        var error = Assert.Throws<KeyNotFoundException>(() => ClipForward.EncodeImage(randn([1, 1, 28, 28], generator: generator), weights, Mini.Vision));
        Assert.Contains("visual.ln_post.bias", error.Message);
        Assert.Throws<ArgumentException>(() => ClipForward.EncodeImage(randn([1, 3, 28, 28], generator: generator), weights, Mini.Vision));
        Assert.Throws<ArgumentException>(() => ClipForward.EncodeText(zeros(1, 17, dtype: ScalarType.Int64), weights, Mini.Text));
    }

    [Fact]
    public void Text_attention_is_causal()
    {
        using var scope = NewDisposeScope();
        var weights = ClipInitializer.Initialize(Mini, seed: 2);
        var before = Tokens([2046, 11, 12, 13, 14, 15, 2047, 0]);
        var after = Tokens([2046, 11, 12, 13, 900, 901, 902, 2047]);
        var a = ClipForward.TextHiddenStates(before, weights, Mini.Text);
        var b = ClipForward.TextHiddenStates(after, weights, Mini.Text);
        Assert.True(a.narrow(1, 0, 4).allclose(b.narrow(1, 0, 4), rtol: 0, atol: 1e-6));
        Assert.False(a.narrow(1, 4, 1).allclose(b.narrow(1, 4, 1), rtol: 0, atol: 1e-3));
    }

    [Fact]
    public void Text_embedding_pools_at_the_EOT_token()
    {
        using var scope = NewDisposeScope();
        var weights = ClipInitializer.Initialize(Mini, seed: 3);
        // Tokens after EOT cannot reach it through the causal mask, so they must not change the embedding …
        var padded = Tokens([2046, 7, 8, 2047, 0, 0], [2046, 7, 8, 2047, 30, 31]);
        var embeddings = ClipForward.EncodeText(padded, weights, Mini.Text);
        Assert.True(embeddings[0].allclose(embeddings[1], rtol: 0, atol: 1e-6));
        // … and the pooled row is exactly the EOT position's hidden state times text_projection.
        var hidden = ClipForward.TextHiddenStates(padded, weights, Mini.Text);
        var expected = hidden[0, 3].matmul(weights["text_projection"]);
        Assert.True(embeddings[0].allclose(expected, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void Gradients_flow_into_the_weight_dictionary()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(104); // explicit seed: the global generator depends on test order
        var weights = ClipInitializer.Initialize(Mini, seed: 4)
            .ToDictionary(p => p.Key, p => p.Value.requires_grad_(true));
        var loss = ClipForward.EncodeImage(randn([3, 1, 28, 28], generator: generator), weights, Mini.Vision).square().sum()
                   + ClipForward.EncodeText(Tokens([2046, 5, 2047]), weights, Mini.Text).square().sum();
        loss.backward();
        foreach (var name in ClipParameterNames.Visual(Mini).Concat(ClipParameterNames.Text(Mini)))
        {
            var grad = weights[name].grad;
            Assert.True(grad is not null, name);
            Assert.Equal(weights[name].shape, grad.shape);
        }
        Assert.Null(weights[ClipParameterNames.LogitScale].grad);
    }
}

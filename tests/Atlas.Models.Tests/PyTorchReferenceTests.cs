using Atlas.Models;
using static TorchSharp.torch;

namespace Atlas.Models.Tests;

/// <summary>
/// ClipForward against PyTorch's own modules (nn.MultiheadAttention, nn.LayerNorm, nn.Linear, sequence-first as in
/// OpenAI CLIP) on a tiny CLIP with random weights, biases and LayerNorm affines: checks the fused in_proj packing,
/// head split, QuickGELU, LayerNorm, causal mask and EOT pooling. Regenerate with Reference/make_clip_reference.py.
/// </summary>
public class PyTorchReferenceTests
{
    private const double Tolerance = 1e-4;

    [Fact]
    public void Fixture_names_follow_canonical_order()
    {
        using var fixture = ReferenceFixture.Load();
        Assert.Equal(ClipParameterNames.All(fixture.Config), fixture.Weights.Keys);
        foreach (var (name, shape) in ClipParameterNames.Shapes(fixture.Config))
            Assert.Equal(shape, fixture.Weights[name].shape);
    }

    [Fact]
    public void Image_embeddings_match_pytorch()
    {
        using var fixture = ReferenceFixture.Load();
        using var scope = NewDisposeScope();
        var actual = ClipForward.EncodeImage(fixture.Images, fixture.Weights, fixture.Config.Vision);
        Assert.Equal(fixture.ImageEmbeddings.shape, actual.shape);
        Assert.InRange((actual - fixture.ImageEmbeddings).abs().max().item<float>(), 0, Tolerance);
    }

    [Fact]
    public void Text_embeddings_match_pytorch()
    {
        using var fixture = ReferenceFixture.Load();
        using var scope = NewDisposeScope();
        var actual = ClipForward.EncodeText(fixture.Tokens, fixture.Weights, fixture.Config.Text);
        Assert.Equal(fixture.TextEmbeddings.shape, actual.shape);
        Assert.InRange((actual - fixture.TextEmbeddings).abs().max().item<float>(), 0, Tolerance);
    }

    [Fact]
    public void Module_built_from_the_pytorch_state_dict_matches_too()
    {
        using var fixture = ReferenceFixture.Load();
        using var scope = NewDisposeScope();
        using var model = new ClipModel(fixture.Config, fixture.Weights);
        Assert.InRange((model.forward(fixture.Images) - fixture.ImageEmbeddings).abs().max().item<float>(), 0, Tolerance);
        Assert.InRange((model.EncodeText(fixture.Tokens) - fixture.TextEmbeddings).abs().max().item<float>(), 0, Tolerance);
    }
}

using Atlas.Models;
using static TorchSharp.torch;

namespace Atlas.Models.Tests;

public class ClipInitializerTests
{
    [Fact]
    public void Same_seed_same_weights_other_seed_other_weights()
    {
        using var scope = NewDisposeScope();
        var a = ClipInitializer.Initialize(ClipConfig.Mini, seed: 7);
        var b = ClipInitializer.Initialize(ClipConfig.Mini, seed: 7);
        var c = ClipInitializer.Initialize(ClipConfig.Mini, seed: 8);
        Assert.Equal(ClipParameterNames.All(ClipConfig.Mini), a.Keys);
        foreach (var name in a.Keys) Assert.True(TensorAssert.Identical(a[name], b[name]), name);
        Assert.False(TensorAssert.Identical(a["visual.conv1.weight"], c["visual.conv1.weight"]));
        Assert.False(TensorAssert.Identical(
            a["transformer.resblocks.1.mlp.c_fc.weight"], c["transformer.resblocks.1.mlp.c_fc.weight"]));
    }

    [Fact]
    public void Follows_open_clips_scheme()
    {
        using var scope = NewDisposeScope();
        var config = ClipConfig.Mini with { Vision = ClipConfig.Mini.Vision with { Width = 128, Heads = 4 } };
        var w = ClipInitializer.Initialize(config, seed: 0);
        Assert.All(w.Values, t => Assert.Equal(ScalarType.Float32, t.dtype));
        Assert.All(w.Values, t => Assert.False(t.requires_grad));
        Assert.Equal(Math.Log(1 / 0.07), w[ClipParameterNames.LogitScale].item<float>(), 5);
        Assert.True(w["visual.ln_pre.weight"].eq(1).all().item<bool>());
        Assert.True(w["transformer.resblocks.0.ln_2.bias"].eq(0).all().item<bool>());
        Assert.True(w["visual.transformer.resblocks.0.attn.in_proj_bias"].eq(0).all().item<bool>());
        Assert.True(w["visual.transformer.resblocks.0.mlp.c_fc.bias"].eq(0).all().item<bool>());

        void Std(string name, double expected) =>
            Assert.InRange(w[name].std().item<float>(), 0.9 * expected, 1.1 * expected);
        Std("visual.positional_embedding", Math.Pow(128, -0.5));
        Std("visual.proj", Math.Pow(128, -0.5));
        Std("visual.transformer.resblocks.0.attn.in_proj_weight", Math.Pow(128, -0.5));
        Std("visual.transformer.resblocks.0.attn.out_proj.weight", Math.Pow(128, -0.5) * Math.Pow(2 * 3, -0.5)); // (2 · layers)^-½, 3 layers
        Std("visual.transformer.resblocks.0.mlp.c_fc.weight", Math.Pow(256, -0.5));
        Std("transformer.resblocks.0.mlp.c_proj.weight", Math.Pow(64, -0.5) * Math.Pow(4, -0.5));
        Std("token_embedding.weight", 0.02);
        Std("positional_embedding", 0.01);
        Std("text_projection", Math.Pow(64, -0.5));
        double bound = 1 / Math.Sqrt(49);
        Assert.InRange(w["visual.conv1.weight"].abs().max().item<float>(), 0.9 * bound, bound);
    }
}

using Atlas.Models;

namespace Atlas.Models.Tests;

public class ClipParameterNamesTests
{
    private static long Count(IEnumerable<(string Name, long[] Shape)> shapes) =>
        shapes.Sum(p => p.Shape.Aggregate(1L, (a, b) => a * b));

    [Fact]
    public void ViT_B_32_visual_tower_has_open_clips_152_tensors()
    {
        var names = ClipParameterNames.Visual(ClipConfig.VitB32);
        Assert.Equal(152, names.Count);
        Assert.Equal(
            ["visual.class_embedding", "visual.positional_embedding", "visual.proj", "visual.conv1.weight",
             "visual.ln_pre.weight", "visual.ln_pre.bias", "visual.transformer.resblocks.0.ln_1.weight"],
            names.Take(7));
        Assert.Equal(
            ["visual.transformer.resblocks.11.mlp.c_proj.bias", "visual.ln_post.weight", "visual.ln_post.bias"],
            names.TakeLast(3));
        Assert.All(names, name => Assert.StartsWith(ClipParameterNames.VisualPrefix, name));
    }

    [Fact]
    public void ViT_B_32_visual_parameter_count_is_87_8M()
    {
        var visual = ClipParameterNames.Shapes(ClipConfig.VitB32).Where(p => p.Name.StartsWith("visual."));
        Assert.Equal(87_849_216, Count(visual));
    }

    [Fact]
    public void Block_order_follows_ResidualAttentionBlock()
    {
        var block = ClipParameterNames.Text(ClipConfig.Mini)
            .Where(n => n.StartsWith("transformer.resblocks.1.")).Select(n => n["transformer.resblocks.1.".Length..]);
        Assert.Equal(
            ["ln_1.weight", "ln_1.bias", "attn.in_proj_weight", "attn.in_proj_bias", "attn.out_proj.weight",
             "attn.out_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias",
             "mlp.c_proj.weight", "mlp.c_proj.bias"],
            block);
    }

    [Fact]
    public void Full_order_is_open_clips_state_dict_order()
    {
        var config = ClipConfig.Mini;
        var all = ClipParameterNames.All(config);
        var text = ClipParameterNames.Text(config);
        Assert.Equal(["positional_embedding", "text_projection", ClipParameterNames.LogitScale], all.Take(3));
        Assert.Equal(ClipParameterNames.Visual(config), all.Skip(3).Take(ClipParameterNames.Visual(config).Count));
        Assert.Equal(["token_embedding.weight", "ln_final.weight", "ln_final.bias"], all.TakeLast(3));
        Assert.Equal(all.Where(text.Contains), text);
        Assert.Equal(all.Count, ClipParameterNames.Visual(config).Count + text.Count + 1);
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public void Mini_shapes_and_counts()
    {
        var shapes = ClipParameterNames.Shapes(ClipConfig.Mini).ToDictionary(p => p.Name, p => p.Shape);
        Assert.Equal([64L, 1, 7, 7], shapes["visual.conv1.weight"]);
        Assert.Equal([17L, 64], shapes["visual.positional_embedding"]);
        Assert.Equal([64L, 64], shapes["visual.proj"]);
        Assert.Equal([192L, 64], shapes["visual.transformer.resblocks.2.attn.in_proj_weight"]);
        Assert.Equal([256L, 64], shapes["visual.transformer.resblocks.2.mlp.c_fc.weight"]);
        Assert.Equal([64L, 256], shapes["visual.transformer.resblocks.2.mlp.c_proj.weight"]);
        Assert.Equal([2048L, 64], shapes["token_embedding.weight"]);
        Assert.Equal([16L, 64], shapes["positional_embedding"]);
        Assert.Empty(shapes[ClipParameterNames.LogitScale]);

        var all = ClipParameterNames.Shapes(ClipConfig.Mini);
        Assert.Equal(158_592, Count(all.Where(p => p.Name.StartsWith("visual."))));
        Assert.Equal(394_881, Count(all));
        Assert.DoesNotContain("visual.transformer.resblocks.3.attn.in_proj_weight", shapes.Keys);
    }
}

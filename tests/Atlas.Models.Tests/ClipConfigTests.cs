using Atlas.Models;

namespace Atlas.Models.Tests;

public class ClipConfigTests
{
    [Theory]
    [InlineData("mini", 28, 1, 7, 64, 3, 4, 64)]
    [InlineData("ViT-B-32", 224, 3, 32, 768, 12, 12, 512)]
    [InlineData("ViT-B-16", 224, 3, 16, 768, 12, 12, 512)]
    [InlineData("ViT-L-14", 224, 3, 14, 1024, 24, 16, 768)]
    public void Presets_have_the_paper_shapes(string name, int image, int channels, int patch, int width, int layers, int heads, int embed)
    {
        var config = ClipConfig.Get(name);
        Assert.Equal(name, config.Name);
        Assert.Equal(new VisionConfig(image, channels, patch, width, layers, heads, 4, embed), config.Vision);
        Assert.Equal(embed, config.Text.EmbedDim);
        Assert.Equal(channels, config.Preprocess.Mean.Count);
        Assert.Equal(channels, config.Preprocess.Std.Count);
    }

    [Fact]
    public void Text_towers_match_open_clip()
    {
        Assert.Equal(new TextConfig(16, 2048, 64, 2, 4, 4, 64), ClipConfig.Mini.Text);
        Assert.Equal(new TextConfig(77, 49408, 512, 12, 8, 4, 512), ClipConfig.VitB32.Text);
        Assert.Equal(ClipConfig.VitB32.Text, ClipConfig.VitB16.Text);
        Assert.Equal(new TextConfig(77, 49408, 768, 12, 12, 4, 768), ClipConfig.VitL14.Text);
    }

    [Fact]
    public void Preprocessing_constants()
    {
        Assert.Equal([0.5], ClipConfig.Mini.Preprocess.Mean);
        Assert.Equal([0.5], ClipConfig.Mini.Preprocess.Std);
        Assert.Equal([0.48145466, 0.4578275, 0.40821073], ClipConfig.VitB32.Preprocess.Mean);
        Assert.Equal([0.26862954, 0.26130258, 0.27577711], ClipConfig.VitL14.Preprocess.Std);
        Assert.Equal(ImagePreprocess.Symmetric(1), ClipConfig.Mini.Preprocess); // value equality
    }

    [Fact]
    public void Unknown_name_lists_the_known_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => ClipConfig.Get("ViT-H-14"));
        Assert.Contains("ViT-H-14", error.Message);
        foreach (var preset in ClipConfig.Presets) Assert.Contains(preset.Name, error.Message);
    }

    [Fact]
    public void Inconsistent_configs_are_rejected()
    {
        var badPatch = ClipConfig.Mini with { Vision = ClipConfig.Mini.Vision with { PatchSize = 5 } };
        Assert.Throws<ArgumentException>(() => ClipParameterNames.All(badPatch));
        var badHeads = ClipConfig.Mini with { Text = ClipConfig.Mini.Text with { Heads = 3 } };
        Assert.Throws<ArgumentException>(() => ClipParameterNames.All(badHeads));
    }
}

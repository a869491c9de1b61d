using Atlas.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Models.Tests;

public class ClipConfigFileTests
{
    // The mini backbone written out by hand: ModelConfigs/mini.json must read as this. It began as the config ClipConfig.cs
    // defined in code, with 4 vision layers; the file has 3 since the mini was cut to fit a 7-minute cold run (issue 15).
    private static readonly ClipConfig HandWrittenMini = new("mini",
        new VisionConfig(ImageSize: 28, Channels: 1, PatchSize: 7, Width: 64, Layers: 3, Heads: 4, MlpRatio: 4, EmbedDim: 64),
        new TextConfig(ContextLength: 16, VocabSize: 2048, Width: 64, Layers: 2, Heads: 4, MlpRatio: 4, EmbedDim: 64),
        new ImagePreprocess([0.5], [0.5]));

    [Fact]
    public void Mini_file_reads_as_the_hand_written_config()
    {
        Assert.Equal(HandWrittenMini, ClipConfig.Mini);
        Assert.Equal(MlpActivation.QuickGelu, ClipConfig.Mini.Vision.Activation);
        Assert.Equal(MlpActivation.QuickGelu, ClipConfig.Mini.Text.Activation);
        var handWritten = ClipParameterNames.Shapes(HandWrittenMini);
        var loaded = ClipParameterNames.Shapes(ClipConfig.Mini);
        Assert.Equal(handWritten.Select(p => p.Name), loaded.Select(p => p.Name));
        Assert.Equal(handWritten.Select(p => string.Join("x", p.Shape)), loaded.Select(p => string.Join("x", p.Shape)));
    }

    [Fact]
    public void Mini_file_initialises_bit_identically_to_the_hand_written_config()
    {
        using var scope = NewDisposeScope();
        var handWritten = ClipInitializer.Initialize(HandWrittenMini, seed: 11);
        var loaded = ClipInitializer.Initialize(ClipConfig.Mini, seed: 11);
        Assert.Equal(handWritten.Keys, loaded.Keys);
        foreach (var name in handWritten.Keys) Assert.True(TensorAssert.Identical(handWritten[name], loaded[name]), name);
    }

    [Fact]
    public void Built_in_files_are_the_presets_and_use_quick_gelu()
    {
        Assert.Equal(ClipConfigFile.BuiltInNames.Order(StringComparer.Ordinal), ClipConfig.Presets.Select(p => p.Name).Order(StringComparer.Ordinal));
        foreach (var preset in ClipConfig.Presets)
        {
            Assert.Equal(MlpActivation.QuickGelu, preset.Vision.Activation);
            Assert.Equal(MlpActivation.QuickGelu, preset.Text.Activation);
        }
    }

    // Totals and image towers summed by hand in python3 from the architecture (conv1 without bias; per block
    // 2 LayerNorms, fused in_proj + bias, out_proj, c_fc, c_proj), and equal to CLIP's published sizes:
    // ViT-B/32 151,277,313, ViT-B/16 149,620,737, ViT-L/14 427,616,513 parameters.
    [Theory]
    [InlineData("ViT-B-32", 151_277_313L, 87_849_216L)]
    [InlineData("ViT-B-16", 149_620_737L, 86_192_640L)]
    [InlineData("ViT-L-14", 427_616_513L, 303_966_208L)]
    [InlineData("mini", 394_881L, 158_592L)] // greyscale: conv1 has 1 input channel
    public void Parameter_counts_match_clips_published_sizes(string name, long total, long imageTower)
    {
        var shapes = ClipParameterNames.Shapes(ClipConfig.Get(name));
        static long Count(long[] shape) => shape.Aggregate(1L, (product, size) => product * size);
        Assert.Equal(total, shapes.Sum(p => Count(p.Shape)));
        Assert.Equal(imageTower, shapes.Where(p => p.Name.StartsWith(ClipParameterNames.VisualPrefix, StringComparison.Ordinal)).Sum(p => Count(p.Shape)));
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void Random_ViT_B_32_has_the_published_parameter_count()
    {
        using var scope = NewDisposeScope();
        var weights = ClipInitializer.Initialize(ClipConfig.VitB32, seed: 0);
        Assert.Equal(151_277_313L, weights.Values.Sum(t => t.numel()));
        Assert.Equal(87_849_216L, weights.Where(p => p.Key.StartsWith(ClipParameterNames.VisualPrefix, StringComparison.Ordinal)).Sum(p => p.Value.numel()));
    }

    [Fact]
    public void Open_clip_without_quick_gelu_means_gelu()
    {
        const string json = """
            {"embed_dim": 512,
             "vision_cfg": {"image_size": 224, "layers": 12, "width": 768, "patch_size": 32},
             "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 512, "heads": 8, "layers": 12}}
            """;
        var config = ClipConfigFile.Parse(json, "ViT-B-32", "ViT-B-32.json");
        Assert.Equal(MlpActivation.Gelu, config.Vision.Activation);
        Assert.Equal(MlpActivation.Gelu, config.Text.Activation);
        Assert.Equal(ClipConfig.VitB32 with
        {
            Vision = ClipConfig.VitB32.Vision with { Activation = MlpActivation.Gelu },
            Text = ClipConfig.VitB32.Text with { Activation = MlpActivation.Gelu },
        }, config);
    }

    // An abridged openai/clip-vit-base-patch32 config.json: the sizes plus some of PretrainedConfig's generic keys.
    private const string HuggingFaceB32 = """
        {
          "_name_or_path": "openai/clip-vit-base-patch32",
          "architectures": ["CLIPModel"],
          "initializer_factor": 1.0,
          "logit_scale_init_value": 2.6592,
          "model_type": "clip",
          "projection_dim": 512,
          "text_config": {
            "attention_dropout": 0.0, "bos_token_id": 0, "eos_token_id": 2, "do_sample": false,
            "hidden_act": "quick_gelu", "hidden_size": 512, "intermediate_size": 2048, "layer_norm_eps": 1e-05,
            "max_position_embeddings": 77, "model_type": "clip_text_model", "num_attention_heads": 8,
            "num_hidden_layers": 12, "pad_token_id": 1, "projection_dim": 512, "vocab_size": 49408
          },
          "torch_dtype": "float32",
          "vision_config": {
            "attention_dropout": 0.0, "hidden_act": "quick_gelu", "hidden_size": 768, "image_size": 224,
            "intermediate_size": 3072, "layer_norm_eps": 1e-05, "model_type": "clip_vision_model",
            "num_attention_heads": 12, "num_hidden_layers": 12, "patch_size": 32, "projection_dim": 512
          }
        }
        """;

    [Fact]
    public void Hugging_face_config_json_reads_as_the_open_clip_file()
    {
        using var folder = new TempDirectory();
        string path = folder.File("ViT-B-32.json");
        File.WriteAllText(path, HuggingFaceB32);
        Assert.Equal(ClipConfig.VitB32, ClipConfigFile.Load(path));
    }

    [Fact]
    public void Hugging_face_absent_fields_take_transformers_defaults_and_hidden_act_picks_the_activation()
    {
        // save_pretrained omits values equal to CLIPConfig's defaults, which are ViT-B/32's sizes with QuickGELU.
        var defaults = ClipConfigFile.Parse("""{"vision_config": {}, "text_config": {}}""", "ViT-B-32", "config.json");
        Assert.Equal(ClipConfig.VitB32, defaults);
        var large = ClipConfigFile.Parse("""
            {"projection_dim": 768,
             "vision_config": {"hidden_size": 1024, "intermediate_size": 4096, "num_attention_heads": 16,
                               "num_hidden_layers": 24, "patch_size": 14, "hidden_act": "gelu"},
             "text_config": {"hidden_size": 768, "intermediate_size": 3072, "num_attention_heads": 12, "hidden_act": "gelu"}}
            """, "ViT-L-14", "config.json");
        Assert.Equal(ClipConfig.VitL14 with
        {
            Vision = ClipConfig.VitL14.Vision with { Activation = MlpActivation.Gelu },
            Text = ClipConfig.VitL14.Text with { Activation = MlpActivation.Gelu },
        }, large);
    }

    [Theory]
    [InlineData("""{"embed_dim": 64, "vision_cfg": {"image_size": 28, "layers": 1, "width": 64, "patch_size": 7, "timm_model_name": "x"}, "text_cfg": {"context_length": 16, "vocab_size": 10, "width": 64, "heads": 4, "layers": 1}}""",
        "vision_cfg.timm_model_name", "unknown field")]
    [InlineData("""{"embed_dim": 64, "vision_cfg": {"image_size": 28, "layers": 1, "width": 64, "patch_size": 7}, "text_cfg": {"context_length": 16, "vocab_size": 10, "width": 64, "layers": 1}}""",
        "text_cfg.heads", "missing")]
    [InlineData("""{"embed_dim": "64", "vision_cfg": {"image_size": 28, "layers": 1, "width": 64, "patch_size": 7}, "text_cfg": {"context_length": 16, "vocab_size": 10, "width": 64, "heads": 4, "layers": 1}}""",
        "embed_dim", "expected an integer")]
    [InlineData("""{"embed_dim": 64, "quick_gelu": 1, "vision_cfg": {"image_size": 28, "layers": 1, "width": 64, "patch_size": 7}, "text_cfg": {"context_length": 16, "vocab_size": 10, "width": 64, "heads": 4, "layers": 1}}""",
        "quick_gelu", "expected true or false")]
    [InlineData("""{"embed_dim": 64, "vision_cfg": {"image_size": 28, "layers": 1, "width": 64, "patch_size": 7, "mlp_ratio": 4.5}, "text_cfg": {"context_length": 16, "vocab_size": 10, "width": 64, "heads": 4, "layers": 1}}""",
        "vision_cfg.mlp_ratio", "whole number")]
    [InlineData("""{"vision_config": {"hidden_act": "relu"}, "text_config": {}}""", "vision_config.hidden_act", "not supported")]
    [InlineData("""{"vision_config": {}, "text_config": {"hidden_size": "512"}}""", "text_config.hidden_size", "expected an integer")]
    [InlineData("""{"vision_config": {}}""", "text_config", "missing")]
    [InlineData("""{"embed_dim": 64}""", "vision_cfg", "missing")]
    public void Loading_errors_name_the_file_and_the_field(string json, string field, string problem)
    {
        using var folder = new TempDirectory();
        string path = folder.File("broken.json");
        File.WriteAllText(path, json);
        var error = Assert.Throws<ModelConfigException>(() => ClipConfigFile.Load(path));
        Assert.Equal(path, error.File);
        Assert.Equal(field, error.Field);
        Assert.Contains(path, error.Message);
        Assert.Contains($"'{field}'", error.Message);
        Assert.Contains(problem, error.Message);
    }

    // One vision block whose attention output is zeroed and whose MLP passes ln_2(x) through the activation into
    // the first W channels: the pooled class token is ln_post(x + act(ln_2(x))) with x = ln_pre(class + pos[0]), so
    // the embedding exposes the activation. The expected GELU is written from erf, not nn.functional.gelu.
    [Theory]
    [InlineData(MlpActivation.Gelu)]
    [InlineData(MlpActivation.QuickGelu)]
    public void The_configured_activation_runs_in_the_mlp(MlpActivation activation)
    {
        using var scope = NewDisposeScope();
        var vision = new VisionConfig(ImageSize: 14, Channels: 1, PatchSize: 7, Width: 8, Layers: 1, Heads: 2, MlpRatio: 4, EmbedDim: 8, activation);
        var config = ClipConfig.Mini with { Vision = vision, Text = ClipConfig.Mini.Text with { EmbedDim = 8 } };
        var weights = ClipInitializer.Initialize(config, seed: 5);
        const string block = "visual.transformer.resblocks.0.";
        weights[block + "attn.out_proj.weight"].zero_();
        weights[block + "attn.out_proj.bias"].zero_();
        var passThrough = cat([eye(8), zeros(24, 8)], 0);
        weights[block + "mlp.c_fc.weight"] = passThrough;
        weights[block + "mlp.c_proj.weight"] = passThrough.t().contiguous();
        weights["visual.ln_pre.weight"] = linspace(0.5, 2.0, 8); // spread the values so GELU and QuickGELU differ
        weights["visual.proj"] = eye(8);

        var images = rand(1, 1, 14, 14, generator: new Generator(3));
        var embedding = ClipForward.EncodeImage(images, weights, vision)[0];

        static Tensor Norm(Tensor x) => nn.functional.layer_norm(x, [8], eps: 1e-5);
        var x = Norm(weights["visual.class_embedding"] + weights["visual.positional_embedding"][0]) * weights["visual.ln_pre.weight"];
        var h = Norm(x);
        var gelu = 0.5 * h * (1 + special.erf(h / Math.Sqrt(2)));
        var quickGelu = h * sigmoid(1.702 * h);
        var expected = Norm(x + (activation == MlpActivation.Gelu ? gelu : quickGelu));
        var other = Norm(x + (activation == MlpActivation.Gelu ? quickGelu : gelu));
        Assert.True(embedding.allclose(expected, rtol: 0, atol: 1e-5), $"{activation}: got {embedding}, expected {expected}");
        Assert.False(embedding.allclose(other, rtol: 0, atol: 1e-3));
    }
}

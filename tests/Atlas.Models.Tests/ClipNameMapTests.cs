using Atlas.Models;
using Atlas.Testing;
using static TorchSharp.torch;

namespace Atlas.Models.Tests;

/// <summary>
/// The open_clip ↔ Hugging Face name map against transformers' convert_clip_original_pytorch_to_hf.py (the table in
/// shared/reference/paper-profile.md): names, shapes, q/k/v row ranges, transposed projections, bit-exact round trips.
/// </summary>
public sealed class ClipNameMapTests
{
    /// <summary>A tiny ViT: 8×8 RGB images, 4×4 patches, widths 8 (image) and 4 (text), embed 6, two layers each.</summary>
    public static ClipConfig Tiny { get; } = new("tiny",
        new VisionConfig(ImageSize: 8, Channels: 3, PatchSize: 4, Width: 8, Layers: 2, Heads: 2, MlpRatio: 2, EmbedDim: 6),
        new TextConfig(ContextLength: 5, VocabSize: 11, Width: 4, Layers: 2, Heads: 2, MlpRatio: 2, EmbedDim: 6),
        ImagePreprocess.OpenAiClip);

    /// <summary>A random model of <paramref name="config"/> in project names (seeded, distinct values everywhere).</summary>
    public static Dictionary<string, Tensor> RandomProject(ClipConfig config, long seed = 7)
    {
        using var generator = new Generator((ulong)seed);
        return ClipParameterNames.Shapes(config).ToDictionary(p => p.Name, p => randn(p.Shape, generator: generator));
    }

    [Fact]
    public void Project_to_hugging_face_and_back_is_bit_exact()
    {
        var project = RandomProject(Tiny);
        var huggingFace = ClipNameMap.ToHuggingFace(project, Tiny);
        var back = ClipNameMap.FromHuggingFace(huggingFace, Tiny);

        Assert.Equal(project.Keys, back.Keys);
        foreach (var (name, tensor) in project) Assert.True(TensorAssert.Identical(tensor, back[name]), name);
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void Random_ViT_B_32_round_trips_through_hugging_face_names_bit_exactly()
    {
        using var scope = NewDisposeScope();
        var project = RandomProject(ClipConfig.VitB32);
        var back = ClipNameMap.FromHuggingFace(ClipNameMap.ToHuggingFace(project, ClipConfig.VitB32), ClipConfig.VitB32);

        Assert.Equal(project.Keys, back.Keys);
        foreach (var (name, tensor) in project) Assert.True(TensorAssert.Identical(tensor, back[name]), name);
    }

    [Fact]
    public void Hugging_face_tensors_split_qkv_by_rows_and_transpose_the_projections()
    {
        var project = RandomProject(Tiny);
        var hf = ClipNameMap.ToHuggingFace(project, Tiny);

        // Hand-written from the conversion table: 2 + 2 blocks gain 4 names each (2 fused tensors → 6 split ones).
        Assert.Equal(project.Count + 4 * 4, hf.Count);
        var inProj = project["visual.transformer.resblocks.1.attn.in_proj_weight"]; // [24, 8]
        Assert.True(TensorAssert.Identical(hf["vision_model.encoder.layers.1.self_attn.q_proj.weight"], inProj[0..8]));
        Assert.True(TensorAssert.Identical(hf["vision_model.encoder.layers.1.self_attn.k_proj.weight"], inProj[8..16]));
        Assert.True(TensorAssert.Identical(hf["vision_model.encoder.layers.1.self_attn.v_proj.weight"], inProj[16..24]));
        var textBias = project["transformer.resblocks.0.attn.in_proj_bias"]; // [12]
        Assert.True(TensorAssert.Identical(hf["text_model.encoder.layers.0.self_attn.v_proj.bias"], textBias[8..12]));
        Assert.Equal([6L, 8L], hf["visual_projection.weight"].shape);
        Assert.Equal([6L, 4L], hf["text_projection.weight"].shape);
        Assert.Equal(project["visual.proj"][3, 5].item<float>(), hf["visual_projection.weight"][5, 3].item<float>());
        Assert.Equal(project["text_projection"][2, 1].item<float>(), hf["text_projection.weight"][1, 2].item<float>());
        Assert.True(TensorAssert.Identical(hf["vision_model.pre_layrnorm.weight"], project["visual.ln_pre.weight"]));
        Assert.True(TensorAssert.Identical(hf["vision_model.post_layernorm.bias"], project["visual.ln_post.bias"]));
        Assert.True(TensorAssert.Identical(hf["text_model.final_layer_norm.weight"], project["ln_final.weight"]));
        Assert.True(TensorAssert.Identical(hf["vision_model.embeddings.patch_embedding.weight"], project["visual.conv1.weight"]));
        Assert.True(TensorAssert.Identical(hf["vision_model.embeddings.class_embedding"], project["visual.class_embedding"]));
        Assert.True(TensorAssert.Identical(hf["vision_model.embeddings.position_embedding.weight"], project["visual.positional_embedding"]));
        Assert.True(TensorAssert.Identical(hf["text_model.embeddings.token_embedding.weight"], project["token_embedding.weight"]));
        Assert.True(TensorAssert.Identical(hf["text_model.embeddings.position_embedding.weight"], project["positional_embedding"]));
        Assert.True(TensorAssert.Identical(hf["text_model.encoder.layers.1.layer_norm2.bias"], project["transformer.resblocks.1.ln_2.bias"]));
        Assert.True(TensorAssert.Identical(hf["text_model.encoder.layers.1.self_attn.out_proj.weight"], project["transformer.resblocks.1.attn.out_proj.weight"]));
        Assert.True(TensorAssert.Identical(hf["vision_model.encoder.layers.0.mlp.fc1.weight"], project["visual.transformer.resblocks.0.mlp.c_fc.weight"]));
        Assert.True(TensorAssert.Identical(hf["vision_model.encoder.layers.0.mlp.fc2.bias"], project["visual.transformer.resblocks.0.mlp.c_proj.bias"]));
        Assert.True(TensorAssert.Identical(hf["logit_scale"], project["logit_scale"]));
    }

    [Fact]
    public void ViT_B_32_has_398_hugging_face_tensors_and_302_open_clip_ones()
    {
        // open_clip: image 6 + 12×12 + 2 = 152, text 2 + 12×12 + 3 = 149, logit_scale 1; HF adds 4 per block (24 blocks).
        var all = ClipParameterNames.All(ClipConfig.VitB32).ToHashSet();
        Assert.Equal(302, ClipNameMap.ExpectedShapes(ClipConfig.VitB32, ParameterNaming.OpenClip, all).Count);
        var hf = ClipNameMap.ExpectedShapes(ClipConfig.VitB32, ParameterNaming.HuggingFace, all);
        Assert.Equal(398, hf.Count);
        Assert.Equal([512L, 768L], hf["visual_projection.weight"]);
        Assert.Equal([768L, 768L], hf["vision_model.encoder.layers.11.self_attn.q_proj.weight"]);
        Assert.Equal([2048L], hf["text_model.encoder.layers.0.mlp.fc1.bias"]);
    }

    [Fact]
    public void Detect_tells_hugging_face_names_from_open_clip_names()
    {
        Assert.Equal(ParameterNaming.HuggingFace, ClipNameMap.Detect(["logit_scale", "vision_model.embeddings.class_embedding"]));
        Assert.Equal(ParameterNaming.OpenClip, ClipNameMap.Detect(["logit_scale", "visual.class_embedding"]));
    }
}

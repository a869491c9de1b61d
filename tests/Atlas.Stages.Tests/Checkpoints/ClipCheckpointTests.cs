using System.IO.Compression;
using System.Text.Json.Nodes;
using Atlas.Models;
using Atlas.Stages.Checkpoints;
using Atlas.Stages.Storage;
using Atlas.Testing;
using static TorchSharp.torch;

namespace Atlas.Stages.Tests.Checkpoints;

/// <summary>
/// Loading CLIP checkpoints written in the real formats (safetensors single and sharded, open_clip and Hugging Face
/// names, fp16 and bf16) by this test, and the refusals: pickles, truncated files, missing / unexpected / mis-shaped
/// tensors, each naming the tensor.
/// </summary>
public sealed class ClipCheckpointTests : IDisposable
{
    /// <summary>A tiny ViT: 8×8 RGB, 4×4 patches, widths 8 (image) and 4 (text), embed 6, two layers per tower.</summary>
    private static readonly ClipConfig Tiny = new("tiny",
        new VisionConfig(ImageSize: 8, Channels: 3, PatchSize: 4, Width: 8, Layers: 2, Heads: 2, MlpRatio: 2, EmbedDim: 6),
        new TextConfig(ContextLength: 5, VocabSize: 11, Width: 4, Layers: 2, Heads: 2, MlpRatio: 2, EmbedDim: 6),
        ImagePreprocess.OpenAiClip);

    private readonly TempDirectory folder = new();

    public void Dispose() => folder.Dispose();

    private static Dictionary<string, Tensor> RandomProject()
    {
        using var generator = new Generator(11);
        return ClipParameterNames.Shapes(Tiny).ToDictionary(p => p.Name, p => randn(p.Shape, generator: generator));
    }

    private static void AssertIdentical(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Keys, actual.Keys); // also pins open_clip's order
        foreach (var (name, tensor) in expected) Assert.True(TensorAssert.Identical(tensor, actual[name]), name);
    }

    [Fact]
    public void Hugging_face_file_loads_as_the_project_tensors_bit_exactly_ignoring_position_ids()
    {
        var project = RandomProject();
        var hf = ClipNameMap.ToHuggingFace(project, Tiny);
        hf["vision_model.embeddings.position_ids"] = arange(5L).unsqueeze(0); // int64 buffer older HF files carry
        hf["text_model.embeddings.position_ids"] = arange(5L).unsqueeze(0);
        string path = folder.File("model.safetensors");
        SafeTensorsFile.Save(path, hf);

        AssertIdentical(project, ClipCheckpoint.Load(path, Tiny));
    }

    [Fact]
    public void Open_clip_file_round_trips_through_hugging_face_names_bit_exactly()
    {
        var project = RandomProject();
        string openClip = folder.File("open_clip.safetensors");
        SafeTensorsFile.Save(openClip, project);
        var loaded = ClipCheckpoint.Load(openClip, Tiny);
        AssertIdentical(project, loaded);

        string hf = folder.File("hf.safetensors");
        SafeTensorsFile.Save(hf, ClipNameMap.ToHuggingFace(loaded, Tiny));
        string back = folder.File("back.safetensors");
        CheckpointConversion.Convert(hf, back, Tiny, [Tiny]);
        AssertIdentical(project, SafeTensorsFile.Load(back));
        Assert.Equal("tiny", SafeTensorsFile.ReadMetadata(back)[CheckpointConversion.ConfigMetadataKey]);
    }

    [Fact]
    public void Sharded_index_loads_every_shard()
    {
        var project = RandomProject();
        var hf = ClipNameMap.ToHuggingFace(project, Tiny);
        var vision = hf.Where(t => t.Key.StartsWith("vision_model.", StringComparison.Ordinal)).ToDictionary();
        var rest = hf.Where(t => !vision.ContainsKey(t.Key)).ToDictionary();
        SafeTensorsFile.Save(folder.File("model-00001-of-00002.safetensors"), vision);
        SafeTensorsFile.Save(folder.File("model-00002-of-00002.safetensors"), rest);
        var weightMap = new JsonObject();
        foreach (var name in vision.Keys) weightMap[name] = "model-00001-of-00002.safetensors";
        foreach (var name in rest.Keys) weightMap[name] = "model-00002-of-00002.safetensors";
        string index = folder.File("model.safetensors.index.json");
        File.WriteAllText(index, new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = 0 }, ["weight_map"] = weightMap }.ToJsonString());

        AssertIdentical(project, ClipCheckpoint.Load(index, Tiny));
    }

    [Fact]
    public void Fp16_and_bf16_bits_convert_to_hand_computed_fp32()
    {
        // fp16: 1, -2, 1/3 rounded (0x3555 = 1 + 341/1024 over 4), largest normal 65504, smallest subnormal 2^-24, -0, 0.5, 1024.
        ushort[] halfBits = [0x3C00, 0xC000, 0x3555, 0x7BFF, 0x0001, 0x8000, 0x3800, 0x6400];
        float[] halfValues = [1f, -2f, 0.333251953125f, 65504f, 5.9604644775390625e-08f, -0f, 0.5f, 1024f];
        // bf16 = top 16 bits of fp32: 0x3FC0 = 1.5; 0xC049 = -(1 + 73/128)·2 = -3.140625.
        ushort[] bfloatBits = [0xC049];
        float[] bfloatValues = [-3.140625f];

        var project = RandomProject();
        project["visual.class_embedding"] = FromBits(halfBits, [8], ScalarType.Float16);
        project["logit_scale"] = FromBits(bfloatBits, [], ScalarType.BFloat16);
        project["visual.ln_pre.bias"] = FromBits([0x3FC0, 0, 0, 0, 0, 0, 0, 0x8000], [8], ScalarType.BFloat16);
        string path = folder.File("mixed.safetensors");
        SafeTensorsFile.Save(path, project);

        var loaded = ClipCheckpoint.Load(path, Tiny);
        Assert.All(loaded.Values, t => Assert.Equal(ScalarType.Float32, t.dtype));
        Assert.Equal(halfValues.Select(BitConverter.SingleToInt32Bits), loaded["visual.class_embedding"].data<float>().ToArray().Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(bfloatValues[0], loaded["logit_scale"].item<float>());
        Assert.Equal([1.5f, 0, 0, 0, 0, 0, 0, -0f], loaded["visual.ln_pre.bias"].data<float>().ToArray());
    }

    private static Tensor FromBits(ushort[] bits, long[] shape, ScalarType dtype)
    {
        var tensor = empty(shape, dtype);
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(bits.AsSpan()).CopyTo(tensor.bytes);
        return tensor;
    }

    [Fact]
    public void Zip_and_legacy_pickles_are_refused_with_the_conversion_recipe()
    {
        string zipped = folder.File("finetuned.pt");
        using (var zip = ZipFile.Open(zipped, ZipArchiveMode.Create))
        {
            using var entry = zip.CreateEntry("finetuned/data.pkl").Open();
            entry.Write([0x80, 0x02, (byte)'.']); // never read: refused from the zip directory alone
        }
        string legacy = folder.File("pytorch_model.bin");
        File.WriteAllBytes(legacy, [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, (byte)'.']);

        foreach (var path in new[] { zipped, legacy })
        {
            var error = Assert.Throws<InvalidDataException>(() => ClipCheckpoint.Load(path, Tiny));
            Assert.Contains(path, error.Message);
            Assert.Contains("pickled", error.Message);
            Assert.Contains("torch.load(", error.Message);
            Assert.Contains("k.removeprefix(\"model.\")", error.Message);
            Assert.Contains("save_file(sd, ", error.Message);
        }
    }

    [Fact]
    public void Truncated_file_is_refused_naming_the_tensor()
    {
        string path = folder.File("truncated.safetensors");
        SafeTensorsFile.Save(path, RandomProject());
        using (var stream = File.OpenWrite(path)) stream.SetLength(stream.Length - 3);

        var error = Assert.Throws<InvalidDataException>(() => ClipCheckpoint.Load(path, Tiny));
        Assert.Contains("truncated", error.Message);
        Assert.Contains("'ln_final.bias'", error.Message); // the last tensor written
    }

    [Fact]
    public void Missing_unexpected_mis_shaped_and_integer_tensors_are_all_listed_by_name()
    {
        var hf = ClipNameMap.ToHuggingFace(RandomProject(), Tiny);
        hf.Remove("vision_model.encoder.layers.1.self_attn.k_proj.bias");
        hf["vision_model.extra.weight"] = zeros(2);
        hf["visual_projection.weight"] = zeros(8, 6); // open_clip's [W, E] layout under a Hugging Face name
        hf["logit_scale"] = tensor(4L);
        string path = folder.File("wrong.safetensors");
        SafeTensorsFile.Save(path, hf);

        var error = Assert.Throws<InvalidDataException>(() => ClipCheckpoint.Load(path, Tiny));
        Assert.Contains("Hugging Face", error.Message);
        Assert.Contains("missing (1): vision_model.encoder.layers.1.self_attn.k_proj.bias", error.Message);
        Assert.Contains("unexpected (1): vision_model.extra.weight", error.Message);
        Assert.Contains("mis-shaped: 'visual_projection.weight' is [8, 6], config 'tiny' needs [6, 8]", error.Message);
        Assert.Contains("wrong dtype: 'logit_scale' is Int64", error.Message);
    }

    [Fact]
    public void Atlas_model_prefix_is_named_as_the_cause()
    {
        string path = folder.File("prefixed.safetensors");
        SafeTensorsFile.Save(path, RandomProject().ToDictionary(t => "model." + t.Key, t => t.Value));

        var error = Assert.Throws<InvalidDataException>(() => ClipCheckpoint.Load(path, Tiny));
        Assert.Contains("unexpected (", error.Message);
        Assert.Contains("every unexpected name starts with 'model.'", error.Message);
    }

    [Fact]
    public void Image_encoder_checkpoint_without_the_text_transformer_loads()
    {
        var project = RandomProject();
        var encoder = project.Where(t => !t.Key.StartsWith("transformer.", StringComparison.Ordinal)).ToDictionary();
        string path = folder.File("encoder.safetensors");
        SafeTensorsFile.Save(path, encoder);

        var loaded = ClipCheckpoint.Load(path, Tiny);
        Assert.Equal(ClipParameterNames.ImageEncoderCheckpoint(Tiny).Count, loaded.Count);
        AssertIdentical(encoder, loaded);
    }

    [Fact]
    public void Inspect_reports_naming_and_the_matching_configuration()
    {
        string path = folder.File("hf.safetensors");
        SafeTensorsFile.Save(path, ClipNameMap.ToHuggingFace(RandomProject(), Tiny));
        var report = CheckpointInspection.Of(path, [ClipConfig.Mini, Tiny]);
        Assert.Equal(ParameterNaming.HuggingFace, report.Naming);
        Assert.Equal(["tiny"], report.Matches);
        Assert.Contains("vision_model.encoder.layers.0.self_attn.q_proj.weight\tFloat32\t[8, 8]", report.Render());
    }
}

using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;

namespace Atlas.Cli.Tests;

/// <summary>
/// convert and inspect on files this test writes byte by byte in the real formats: a Hugging Face CLIPModel
/// safetensors of the mini configuration (names written out by hand from transformers' conversion script), and pickles.
/// </summary>
public sealed class CheckpointVerbTests : CliTestFolder
{
    // The mini backbone: image 28×28×1, patch 7 (17 tokens), width 64, 3 layers, MLP 256; text context 16, vocab 2048,
    // width 64, 2 layers; embed 64.
    private static List<(string Name, long[] Shape)> MiniHuggingFaceTensors()
    {
        var tensors = new List<(string, long[])>
        {
            ("logit_scale", []),
            ("text_projection.weight", [64, 64]),
            ("visual_projection.weight", [64, 64]),
            ("vision_model.embeddings.class_embedding", [64]),
            ("vision_model.embeddings.patch_embedding.weight", [64, 1, 7, 7]),
            ("vision_model.embeddings.position_embedding.weight", [17, 64]),
            ("vision_model.pre_layrnorm.weight", [64]), ("vision_model.pre_layrnorm.bias", [64]),
            ("vision_model.post_layernorm.weight", [64]), ("vision_model.post_layernorm.bias", [64]),
            ("text_model.embeddings.token_embedding.weight", [2048, 64]),
            ("text_model.embeddings.position_embedding.weight", [16, 64]),
            ("text_model.final_layer_norm.weight", [64]), ("text_model.final_layer_norm.bias", [64]),
        };
        foreach (var (tower, layers) in new[] { ("vision_model", 3), ("text_model", 2) })
            for (int i = 0; i < layers; i++)
            {
                string p = $"{tower}.encoder.layers.{i}.";
                foreach (var leaf in new[] { "layer_norm1", "layer_norm2" })
                    tensors.AddRange([(p + leaf + ".weight", [64]), (p + leaf + ".bias", [64])]);
                foreach (var proj in new[] { "q_proj", "k_proj", "v_proj", "out_proj" })
                    tensors.AddRange([(p + $"self_attn.{proj}.weight", [64, 64]), (p + $"self_attn.{proj}.bias", [64])]);
                tensors.AddRange([(p + "mlp.fc1.weight", [256, 64]), (p + "mlp.fc1.bias", [256]),
                    (p + "mlp.fc2.weight", [64, 256]), (p + "mlp.fc2.bias", [64])]);
            }
        return tensors;
    }

    /// <summary>Writes fp32 safetensors; element j of the t-th tensor is j + t/4 (exact in fp32), so each value tells where it came from.</summary>
    private static void WriteSafeTensors(string path, List<(string Name, long[] Shape)> tensors)
    {
        var header = new JsonObject();
        using var payload = new MemoryStream();
        for (int t = 0; t < tensors.Count; t++)
        {
            long count = tensors[t].Shape.Aggregate(1L, (a, b) => a * b);
            long begin = payload.Length;
            for (long j = 0; j < count; j++) payload.Write(BitConverter.GetBytes(j + t / 4f));
            header[tensors[t].Name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(tensors[t].Shape.Select(d => (JsonNode?)d).ToArray()),
                ["data_offsets"] = new JsonArray(begin, payload.Length),
            };
        }
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        using var file = File.Create(path);
        file.Write(BitConverter.GetBytes((ulong)headerBytes.Length));
        file.Write(headerBytes);
        payload.WriteTo(file);
    }

    private static (JsonObject Header, byte[] Payload) ReadSafeTensors(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int length = (int)BitConverter.ToUInt64(bytes, 0);
        return (JsonNode.Parse(bytes.AsSpan(8, length))!.AsObject(), bytes[(8 + length)..]);
    }

    private static float Element(JsonObject header, byte[] payload, string name, long index)
    {
        Assert.Equal("F32", header[name]!["dtype"]!.GetValue<string>());
        long begin = header[name]!["data_offsets"]![0]!.GetValue<long>();
        return BitConverter.ToSingle(payload, (int)(begin + 4 * index));
    }

    [Fact]
    public void Convert_writes_a_hugging_face_file_as_fp32_project_names()
    {
        var tensors = MiniHuggingFaceTensors();
        WriteSafeTensors(folder.File("hf.safetensors"), tensors);
        float Offset(string name) => tensors.FindIndex(t => t.Name == name) / 4f;

        var result = Atlas("convert", "--in", "hf.safetensors", "--out", "project.safetensors");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("(mini)", result.Out);
        var (header, payload) = ReadSafeTensors(folder.File("project.safetensors"));
        Assert.Equal(74 + 1, header.Count); // 44 image + 29 text + logit_scale, and __metadata__
        Assert.Equal([192L, 64], header["visual.transformer.resblocks.0.attn.in_proj_weight"]!["shape"]!.AsArray().Select(d => d!.GetValue<long>()));
        // visual.proj[w, e] = visual_projection.weight[e, w]: element (w=0, e=1) is HF's flat index 64.
        Assert.Equal(64 + Offset("visual_projection.weight"), Element(header, payload, "visual.proj", 1));
        // in_proj rows 64.. are k_proj's rows 0..; rows 128.. v_proj's.
        Assert.Equal(5 + Offset("vision_model.encoder.layers.2.self_attn.k_proj.weight"),
            Element(header, payload, "visual.transformer.resblocks.2.attn.in_proj_weight", 64 * 64 + 5));
        Assert.Equal(2 + Offset("text_model.encoder.layers.1.self_attn.v_proj.bias"),
            Element(header, payload, "transformer.resblocks.1.attn.in_proj_bias", 128 + 2));
        Assert.Equal(7 + Offset("vision_model.pre_layrnorm.bias"), Element(header, payload, "visual.ln_pre.bias", 7));
    }

    /// <summary>The folder's mini spec with its pretrain section replaced by <c>pretrained_checkpoint: FILE</c>.</summary>
    private string MiniImporting(string file)
    {
        var text = File.ReadAllText(folder.File("mini.yaml"));
        int start = text.IndexOf("\npretrain:\n", StringComparison.Ordinal) + 1, end = text.IndexOf("\ntemplates:\n", StringComparison.Ordinal) + 1;
        Assert.True(start > 0 && end > start);
        return string.Concat(text.AsSpan(0, start), $"pretrained_checkpoint: {file}\n\n", text.AsSpan(end));
    }

    [Fact]
    public void A_converted_checkpoint_named_in_a_spec_replaces_the_pretrain_stage_in_the_plan()
    {
        WriteSafeTensors(folder.File("hf.safetensors"), MiniHuggingFaceTensors());
        Assert.Equal(0, Atlas("convert", "--in", "hf.safetensors", "--out", "clip.safetensors").ExitCode);
        File.WriteAllText(folder.File("imported.yaml"), MiniImporting("clip.safetensors"));

        var result = Atlas("plan", "--spec", "imported.yaml", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var plan = System.Text.Json.JsonDocument.Parse(result.Out);
        var stages = plan.RootElement.EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!);
        Assert.Equal("import/pretrained", plan.RootElement[1].GetProperty("id").GetString());
        Assert.DoesNotContain("pretrain", stages.Keys);
        Assert.Equal(["import/pretrained"], stages["heads/mnist"].GetProperty("dependsOn").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(["data", "import/pretrained", "heads/mnist"], stages["finetune/mnist"].GetProperty("dependsOn").EnumerateArray().Select(d => d.GetString()));
    }

    [Fact]
    public void A_spec_naming_an_unconverted_pickle_or_a_missing_file_is_refused_at_the_field()
    {
        File.WriteAllBytes(folder.File("model.pt"), [0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e]); // protocol-2 pickle of {}
        var text = MiniImporting("model.pt");
        int line = text.Split('\n').ToList().FindIndex(l => l.StartsWith("pretrained_checkpoint:", StringComparison.Ordinal)) + 1;
        File.WriteAllText(folder.File("pickle.yaml"), text);
        File.WriteAllText(folder.File("missing.yaml"), MiniImporting("absent.safetensors"));

        var pickle = Atlas("validate", "--spec", "pickle.yaml");
        var missing = Atlas("validate", "--spec", "missing.yaml");

        Assert.True(pickle.ExitCode == 2, pickle.ToString());
        Assert.Contains($"pickle.yaml:{line}:24: pretrained_checkpoint: ", pickle.Error);
        Assert.Contains("a pickled PyTorch file (.pt/.bin)", pickle.Error);
        Assert.True(missing.ExitCode == 2, missing.ToString());
        Assert.Contains($"missing.yaml:{line}:24: pretrained_checkpoint: pretrained checkpoint file 'absent.safetensors' not found", missing.Error);
    }

    [Fact]
    public void Inspect_lists_tensors_naming_and_the_configuration_it_fits()
    {
        WriteSafeTensors(folder.File("hf.safetensors"), MiniHuggingFaceTensors());

        var result = Atlas("inspect", "hf.safetensors");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("vision_model.encoder.layers.2.mlp.fc1.weight\tFloat32\t[256, 64]\n", result.Out);
        Assert.Contains("tensors: 94\n", result.Out); // 74 + 4 per block for 5 blocks (q/k/v weights and biases)
        Assert.Contains("naming: Hugging Face CLIPModel\n", result.Out);
        Assert.Contains("matches: mini\n", result.Out);
    }

    [Fact]
    public void Convert_against_another_configuration_lists_the_mis_shaped_tensors()
    {
        WriteSafeTensors(folder.File("hf.safetensors"), MiniHuggingFaceTensors());

        var result = Atlas("convert", "--model", "ViT-B-32", "--in", "hf.safetensors", "--out", "out.safetensors");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("mis-shaped: 'visual_projection.weight' is [64, 64], config 'ViT-B-32' needs [512, 768]", result.Error);
        Assert.Contains("missing (", result.Error); // B/32 has 12 layers, the file 4
        Assert.False(File.Exists(folder.File("out.safetensors")));
    }

    [Fact]
    public void Convert_checks_against_a_model_configuration_file()
    {
        WriteSafeTensors(folder.File("hf.safetensors"), MiniHuggingFaceTensors());
        var configs = Path.Combine(RepositoryRoot.Path, "src", "Atlas.Models", "ModelConfigs");

        var fits = Atlas("convert", "--model", Path.Combine(configs, "mini.json"), "--in", "hf.safetensors", "--out", "mini.safetensors");
        var other = Atlas("convert", "--model", Path.Combine(configs, "ViT-B-16.json"), "--in", "hf.safetensors", "--out", "b16.safetensors");

        Assert.True(fits.ExitCode == 0, fits.ToString());
        Assert.True(File.Exists(folder.File("mini.safetensors")));
        Assert.True(other.ExitCode == 1, other.ToString());
        // B/16 on 224 px: 14·14 patches + the class token.
        Assert.Contains("'vision_model.embeddings.position_embedding.weight' is [17, 64]", other.Error);
        Assert.Contains("needs [197, 768]", other.Error);
        Assert.False(File.Exists(folder.File("b16.safetensors")));
    }

    [Fact]
    public void Convert_refuses_a_pickle_and_prints_the_conversion_recipe()
    {
        using (var zip = ZipFile.Open(folder.File("model.pt"), ZipArchiveMode.Create))
        {
            using var entry = zip.CreateEntry("model/data.pkl").Open();
            entry.Write([0x80, 0x02, (byte)'.']);
        }

        var result = Atlas("convert", "--in", "model.pt", "--out", "model.safetensors");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("pickled PyTorch file", result.Error);
        Assert.Contains("obj = torch.load(\"model.pt\"", result.Error);
        Assert.Contains("k.removeprefix(\"model.\")", result.Error);
        Assert.Contains("save_file(sd, \"model.safetensors\")", result.Error);
    }
}

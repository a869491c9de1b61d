using System.Runtime.InteropServices;
using System.Text.Json;
using Atlas.Models;
using static TorchSharp.torch;

namespace Atlas.Models.Tests;

/// <summary>Reads Reference/clip_reference.json, written by Reference/make_clip_reference.py (PyTorch).</summary>
internal sealed class ReferenceFixture : IDisposable
{
    private ReferenceFixture(JsonElement root)
    {
        var v = root.GetProperty("vision");
        var t = root.GetProperty("text");
        int Int(JsonElement e, string name) => e.GetProperty(name).GetInt32();
        Config = new ClipConfig("reference",
            new VisionConfig(Int(v, "image_size"), Int(v, "channels"), Int(v, "patch_size"), Int(v, "width"),
                Int(v, "layers"), Int(v, "heads"), Int(v, "mlp_ratio"), Int(v, "embed_dim")),
            new TextConfig(Int(t, "context_length"), Int(t, "vocab_size"), Int(t, "width"), Int(t, "layers"),
                Int(t, "heads"), Int(t, "mlp_ratio"), Int(t, "embed_dim")),
            ImagePreprocess.Symmetric(Int(v, "channels")));
        foreach (var weight in root.GetProperty("weights").EnumerateObject())
            Weights.Add(weight.Name, Decode(weight.Value));
        Images = Decode(root.GetProperty("images"));
        Tokens = Decode(root.GetProperty("tokens"));
        ImageEmbeddings = Decode(root.GetProperty("image_embeddings"));
        TextEmbeddings = Decode(root.GetProperty("text_embeddings"));
    }

    public ClipConfig Config { get; }
    public Dictionary<string, Tensor> Weights { get; } = [];
    public Tensor Images { get; }
    public Tensor Tokens { get; }
    public Tensor ImageEmbeddings { get; }
    public Tensor TextEmbeddings { get; }

    public static ReferenceFixture Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Reference", "clip_reference.json");
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return new ReferenceFixture(document.RootElement);
    }

    public void Dispose()
    {
        foreach (var tensor in Weights.Values.Concat([Images, Tokens, ImageEmbeddings, TextEmbeddings])) tensor.Dispose();
    }

    private static Tensor Decode(JsonElement entry)
    {
        var shape = entry.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        if (entry.TryGetProperty("int64", out var ints))
            return tensor(ints.EnumerateArray().Select(i => i.GetInt64()).ToArray()).reshape(shape);
        // Little-endian float32, base64 (the host is little-endian, as is every TorchSharp platform).
        var floats = MemoryMarshal.Cast<byte, float>(Convert.FromBase64String(entry.GetProperty("float32").GetString()!)).ToArray();
        return tensor(floats).reshape(shape);
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Models;

/// <summary>
/// The one name map between the project's (open_clip's) CLIP parameter names and Hugging Face <c>CLIPModel</c>'s,
/// following transformers' <c>convert_clip_original_pytorch_to_hf.py</c>: renamed modules, <c>visual.proj</c> and
/// <c>text_projection</c> transposed, each block's fused <c>attn.in_proj_*</c> split into q/k/v. Conversions only copy,
/// slice and concatenate, so a round trip is bit-exact.
/// </summary>
public static class ClipNameMap
{
    /// <summary>Hugging Face's <c>position_ids</c> buffers (older checkpoints save them); not parameters, ignored on load.</summary>
    public const string PositionIdsSuffix = ".position_ids";

    /// <summary>Every parameter of <paramref name="config"/> with its Hugging Face counterpart, in open_clip's order.</summary>
    public static IReadOnlyList<NameMapEntry> Entries(ClipConfig config) =>
        [.. ClipParameterNames.Shapes(config).Select(p => Entry(p.Name, p.Shape))];

    /// <summary>The tensors a checkpoint holding <paramref name="projectNames"/> has in <paramref name="naming"/>, with shapes.</summary>
    public static IReadOnlyDictionary<string, long[]> ExpectedShapes(
        ClipConfig config, ParameterNaming naming, IReadOnlySet<string> projectNames)
    {
        var expected = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var entry in Entries(config).Where(e => projectNames.Contains(e.ProjectName)))
        {
            if (naming == ParameterNaming.OpenClip) expected[entry.ProjectName] = entry.ProjectShape;
            else foreach (var name in entry.HuggingFaceNames) expected[name] = entry.HuggingFaceShape;
        }
        return expected;
    }

    /// <summary>Project-named tensors renamed (and transposed / split) to Hugging Face's names; new tensors.</summary>
    public static Dictionary<string, Tensor> ToHuggingFace(IReadOnlyDictionary<string, Tensor> project, ClipConfig config)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var entry in Entries(config).Where(e => project.ContainsKey(e.ProjectName)))
        {
            var tensor = project[entry.ProjectName];
            switch (entry.Kind)
            {
                case NameMapKind.Same: result[entry.HuggingFaceNames[0]] = tensor.clone(); break;
                case NameMapKind.Transpose: result[entry.HuggingFaceNames[0]] = tensor.t().contiguous().clone(); break;
                case NameMapKind.FusedQkv:
                    long rows = entry.HuggingFaceShape[0];
                    for (int part = 0; part < 3; part++)
                        result[entry.HuggingFaceNames[part]] = tensor.narrow(0, part * rows, rows).contiguous().clone();
                    break;
            }
        }
        return result;
    }

    /// <summary>Hugging Face-named tensors back to project names (inverse of <see cref="ToHuggingFace"/>); new tensors.</summary>
    public static Dictionary<string, Tensor> FromHuggingFace(IReadOnlyDictionary<string, Tensor> huggingFace, ClipConfig config)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var entry in Entries(config).Where(e => e.HuggingFaceNames.All(huggingFace.ContainsKey)))
        {
            result[entry.ProjectName] = entry.Kind switch
            {
                NameMapKind.Transpose => huggingFace[entry.HuggingFaceNames[0]].t().contiguous().clone(),
                NameMapKind.FusedQkv => cat(entry.HuggingFaceNames.Select(n => huggingFace[n]).ToArray(), 0),
                _ => huggingFace[entry.HuggingFaceNames[0]].clone(),
            };
        }
        return result;
    }

    /// <summary>Which naming a set of tensor names uses: Hugging Face's towers are <c>vision_model.</c> / <c>text_model.</c>.</summary>
    public static ParameterNaming Detect(IEnumerable<string> names) =>
        names.Any(n => n.StartsWith("vision_model.", StringComparison.Ordinal) || n.StartsWith("text_model.", StringComparison.Ordinal)
                       || n is "visual_projection.weight" or "text_projection.weight")
            ? ParameterNaming.HuggingFace
            : ParameterNaming.OpenClip;

    private static NameMapEntry Entry(string name, long[] shape)
    {
        const string visualBlocks = "visual.transformer.resblocks.";
        const string textBlocks = "transformer.resblocks.";
        if (name.StartsWith(visualBlocks, StringComparison.Ordinal))
            return Block(name, shape, visualBlocks, "vision_model.encoder.layers.");
        if (name.StartsWith(textBlocks, StringComparison.Ordinal))
            return Block(name, shape, textBlocks, "text_model.encoder.layers.");
        return name switch
        {
            "visual.proj" => new(name, shape, NameMapKind.Transpose, ["visual_projection.weight"]),
            "text_projection" => new(name, shape, NameMapKind.Transpose, ["text_projection.weight"]),
            _ => new(name, shape, NameMapKind.Same, [Renamed(name)]),
        };
    }

    private static string Renamed(string name) => name switch
    {
        "visual.class_embedding" => "vision_model.embeddings.class_embedding",
        "visual.positional_embedding" => "vision_model.embeddings.position_embedding.weight",
        "visual.conv1.weight" => "vision_model.embeddings.patch_embedding.weight",
        "token_embedding.weight" => "text_model.embeddings.token_embedding.weight",
        "positional_embedding" => "text_model.embeddings.position_embedding.weight",
        ClipParameterNames.LogitScale => ClipParameterNames.LogitScale,
        _ when name.StartsWith("visual.ln_pre.", StringComparison.Ordinal) => "vision_model.pre_layrnorm." + Leaf(name), // HF's spelling
        _ when name.StartsWith("visual.ln_post.", StringComparison.Ordinal) => "vision_model.post_layernorm." + Leaf(name),
        _ when name.StartsWith("ln_final.", StringComparison.Ordinal) => "text_model.final_layer_norm." + Leaf(name),
        _ => throw new InvalidOperationException($"ClipNameMap: no Hugging Face name for '{name}'"),
    };

    private static NameMapEntry Block(string name, long[] shape, string fromPrefix, string toPrefix)
    {
        var rest = name[fromPrefix.Length..];
        int dot = rest.IndexOf('.', StringComparison.Ordinal);
        string layer = toPrefix + rest[..(dot + 1)];
        string member = rest[(dot + 1)..];
        if (member is "attn.in_proj_weight" or "attn.in_proj_bias")
        {
            string leaf = member.EndsWith("weight", StringComparison.Ordinal) ? "weight" : "bias";
            return new(name, shape, NameMapKind.FusedQkv,
                [.. new[] { "q", "k", "v" }.Select(part => $"{layer}self_attn.{part}_proj.{leaf}")]);
        }
        string renamed = member
            .Replace("ln_1.", "layer_norm1.", StringComparison.Ordinal)
            .Replace("ln_2.", "layer_norm2.", StringComparison.Ordinal)
            .Replace("attn.out_proj.", "self_attn.out_proj.", StringComparison.Ordinal)
            .Replace("mlp.c_fc.", "mlp.fc1.", StringComparison.Ordinal)
            .Replace("mlp.c_proj.", "mlp.fc2.", StringComparison.Ordinal);
        return new(name, shape, NameMapKind.Same, [layer + renamed]);
    }

    private static string Leaf(string name) => name[(name.LastIndexOf('.') + 1)..];
}

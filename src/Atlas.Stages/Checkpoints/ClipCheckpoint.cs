using Atlas.Models;
using static TorchSharp.torch;

namespace Atlas.Stages.Checkpoints;

/// <summary>
/// Loads a CLIP checkpoint in open_clip or Hugging Face naming as the project's tensors: project (open_clip) names,
/// fp32, checked against a <see cref="ClipConfig"/>. The check runs in the file's own naming so every message names the
/// file's tensors: missing, unexpected, mis-shaped and non-float tensors are all listed at once. A checkpoint is either
/// the whole CLIP or an image-encoder checkpoint (<see cref="ClipParameterNames.ImageEncoderCheckpoint"/>: no text
/// transformer, as the aTLAS authors save theirs); Hugging Face's <c>position_ids</c> buffers are ignored.
/// </summary>
public static class ClipCheckpoint
{
    /// <summary>Key prefix of the aTLAS authors' pickled <c>ImageEncoder</c> checkpoints (their CLIP is its <c>model</c> attribute).</summary>
    public const string AtlasModelPrefix = "model.";

    private static readonly ScalarType[] FloatTypes = [ScalarType.Float32, ScalarType.Float16, ScalarType.BFloat16];

    /// <summary>Reads, checks and converts the checkpoint at <paramref name="path"/>; tensors in open_clip's order.</summary>
    /// <exception cref="InvalidDataException">The file does not fit <paramref name="config"/>; the message lists every problem.</exception>
    public static Dictionary<string, Tensor> Load(string path, ClipConfig config)
    {
        var stored = CheckpointFile.Read(path);
        try
        {
            return Convert(path, stored, config);
        }
        finally
        {
            foreach (var tensor in stored.Values) tensor.Dispose();
        }
    }

    /// <summary>Checks <paramref name="stored"/> (any naming) against <paramref name="config"/> and returns new fp32 project tensors.</summary>
    public static Dictionary<string, Tensor> Convert(string source, IReadOnlyDictionary<string, Tensor> stored, ClipConfig config)
    {
        var naming = ClipNameMap.Detect(stored.Keys);
        var problems = Problems(stored, config, naming);
        if (problems.Count > 0)
            throw new InvalidDataException(
                $"{source}: does not fit CLIP config '{config.Name}' ({Describe(naming)} names):\n  " + string.Join("\n  ", problems));
        var fp32 = stored.Where(t => !IsIgnored(t.Key, naming))
            .ToDictionary(t => t.Key, t => HalfPrecision.ToFloat32(t.Value), StringComparer.Ordinal);
        if (naming == ParameterNaming.OpenClip) return Ordered(fp32, config);
        try
        {
            return Ordered(ClipNameMap.FromHuggingFace(fp32, config), config);
        }
        finally
        {
            foreach (var tensor in fp32.Values) tensor.Dispose();
        }
    }

    /// <summary>Everything wrong with <paramref name="stored"/> for <paramref name="config"/>; empty when it fits.</summary>
    public static IReadOnlyList<string> Problems(IReadOnlyDictionary<string, Tensor> stored, ClipConfig config, ParameterNaming naming)
    {
        var expected = ClipNameMap.ExpectedShapes(config, naming, ExpectedProjectNames(stored.Keys, config, naming));
        var present = stored.Keys.Where(n => !IsIgnored(n, naming)).ToHashSet(StringComparer.Ordinal);
        var problems = new List<string>();
        var missing = expected.Keys.Where(n => !present.Contains(n)).ToList();
        if (missing.Count > 0) problems.Add($"missing ({missing.Count}): {string.Join(", ", missing)}");
        var unexpected = present.Where(n => !expected.ContainsKey(n)).Order(StringComparer.Ordinal).ToList();
        if (unexpected.Count > 0) problems.Add($"unexpected ({unexpected.Count}): {string.Join(", ", unexpected)}");
        if (unexpected.Count > 0 && unexpected.All(n => n.StartsWith(AtlasModelPrefix, StringComparison.Ordinal)))
            problems.Add($"every unexpected name starts with '{AtlasModelPrefix}', the aTLAS authors' ImageEncoder prefix: strip it " +
                         "when converting (k.removeprefix(\"model.\") in the README's recipe)");
        foreach (var (name, shape) in expected.Where(e => present.Contains(e.Key)))
        {
            var tensor = stored[name];
            if (!tensor.shape.SequenceEqual(shape))
                problems.Add($"mis-shaped: '{name}' is [{string.Join(", ", tensor.shape)}], config '{config.Name}' needs [{string.Join(", ", shape)}]");
            if (!FloatTypes.Contains(tensor.dtype))
                problems.Add($"wrong dtype: '{name}' is {tensor.dtype}, a weight must be F32, F16 or BF16");
        }
        return problems;
    }

    /// <summary>The whole CLIP, or the image-encoder subset when the file holds no text-transformer tensor.</summary>
    private static IReadOnlySet<string> ExpectedProjectNames(IEnumerable<string> stored, ClipConfig config, ParameterNaming naming)
    {
        string textBlocks = naming == ParameterNaming.OpenClip ? ClipParameterNames.TextTransformerPrefix : "text_model.encoder.";
        bool hasTextTransformer = stored.Any(n => n.StartsWith(textBlocks, StringComparison.Ordinal));
        var names = hasTextTransformer
            ? ClipParameterNames.All(config)
            : ClipParameterNames.ImageEncoderCheckpoint(config).Select(p => p.Name).ToList();
        return names.ToHashSet(StringComparer.Ordinal);
    }

    private static bool IsIgnored(string name, ParameterNaming naming) =>
        naming == ParameterNaming.HuggingFace && name.EndsWith(ClipNameMap.PositionIdsSuffix, StringComparison.Ordinal);

    private static Dictionary<string, Tensor> Ordered(Dictionary<string, Tensor> tensors, ClipConfig config) =>
        ClipParameterNames.All(config).Where(tensors.ContainsKey)
            .ToDictionary(name => name, name => tensors[name], StringComparer.Ordinal);

    /// <summary>The naming as the CLI and messages spell it.</summary>
    public static string Describe(ParameterNaming naming) => naming switch
    {
        ParameterNaming.HuggingFace => "Hugging Face CLIPModel",
        _ => "open_clip (project)",
    };
}

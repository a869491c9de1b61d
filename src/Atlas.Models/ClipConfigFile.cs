using System.Text.Json;

namespace Atlas.Models;

/// <summary>
/// Reads a CLIP backbone from a model-configuration JSON file in either of the two formats users have:
/// <list type="bullet">
/// <item><b>open_clip</b> (<c>src/open_clip/model_configs/*.json</c>): <c>embed_dim</c>, <c>quick_gelu</c>,
/// <c>vision_cfg</c> {<c>image_size</c>, <c>layers</c>, <c>width</c>, <c>patch_size</c>, <c>head_width</c> (64),
/// <c>mlp_ratio</c> (4)}, <c>text_cfg</c> {<c>context_length</c>, <c>vocab_size</c>, <c>width</c>, <c>heads</c>,
/// <c>layers</c>, <c>mlp_ratio</c> (4)}, <c>preprocess_cfg</c> {<c>mean</c>, <c>std</c>} (OpenAI's statistics when
/// absent). <c>quick_gelu</c> absent means GELU, as in open_clip. The sizes open_clip's own files always state are
/// required here rather than taken from its dataclass defaults (its vision default patch is 16, a silent trap for
/// B/32). One project extension: <c>vision_cfg.channels</c> (3 when absent; 1 for the greyscale mini). Any other
/// field is refused: open_clip's other options (timm towers, attentional pooling, layer scale…) change the
/// architecture and are not implemented.</item>
/// <item><b>Hugging Face</b> <c>CLIPModel</c> <c>config.json</c>: <c>projection_dim</c>, <c>vision_config</c>
/// {<c>hidden_size</c>, <c>intermediate_size</c>, <c>num_attention_heads</c>, <c>num_hidden_layers</c>,
/// <c>image_size</c>, <c>patch_size</c>, <c>num_channels</c>, <c>hidden_act</c>, <c>layer_norm_eps</c>},
/// <c>text_config</c> {<c>vocab_size</c>, <c>hidden_size</c>, <c>intermediate_size</c>, <c>num_attention_heads</c>,
/// <c>num_hidden_layers</c>, <c>max_position_embeddings</c>, <c>hidden_act</c>, <c>layer_norm_eps</c>}. Absent
/// fields take transformers' <c>CLIPConfig</c> defaults, because <c>save_pretrained</c> omits values equal to them.
/// Other fields are ignored: every such file also carries <c>PretrainedConfig</c>'s generic keys (generation
/// settings, ids, dtype).</item>
/// </list>
/// The format is recognised by <c>vision_cfg</c> (open_clip) or <c>vision_config</c> (Hugging Face). Errors are
/// <see cref="ModelConfigException"/>s naming the file and the field (unknown, missing, wrong type or value).
/// </summary>
public static class ClipConfigFile
{
    private const string ResourcePrefix = "Atlas.Models.ModelConfigs.";

    /// <summary>Names of the embedded configuration files under <c>src/Atlas.Models/ModelConfigs/</c> (the built-in
    /// backbones, <see cref="ClipConfig.Presets"/>). ViT-B-32, ViT-B-16 and ViT-L-14 hold the content of open_clip's
    /// <c>*-quickgelu.json</c>: the configuration open_clip builds for <c>pretrained="openai"</c>, the paper's weights,
    /// under open_clip's model name, which is what a spec's <c>backbone</c> says.</summary>
    public static IReadOnlyList<string> BuiltInNames { get; } = typeof(ClipConfigFile).Assembly.GetManifestResourceNames()
        .Where(resource => resource.StartsWith(ResourcePrefix, StringComparison.Ordinal) && resource.EndsWith(".json", StringComparison.Ordinal))
        .Select(resource => resource[ResourcePrefix.Length..^".json".Length])
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>Reads a configuration file; the backbone is named after the file (<c>ViT-B-32.json</c> → <c>ViT-B-32</c>).</summary>
    /// <exception cref="ModelConfigException">The file is not a valid configuration; the message names file and field.</exception>
    public static ClipConfig Load(string path) =>
        Parse(File.ReadAllText(path), Path.GetFileNameWithoutExtension(path), path);

    /// <summary>The built-in backbone called <paramref name="name"/> (one of <see cref="BuiltInNames"/>). Most callers
    /// want <see cref="ClipConfig.Get"/>, which returns the loaded instances.</summary>
    public static ClipConfig LoadBuiltIn(string name)
    {
        string resource = ResourcePrefix + name + ".json";
        using var stream = typeof(ClipConfigFile).Assembly.GetManifestResourceStream(resource)
            ?? throw new ArgumentException($"No built-in model configuration '{name}' (known: {string.Join(", ", BuiltInNames)}).", nameof(name));
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), name, $"ModelConfigs/{name}.json");
    }

    /// <summary>Parses configuration JSON text.</summary>
    /// <param name="json">The file's content.</param>
    /// <param name="name">The backbone's name (<see cref="ClipConfig.Name"/>).</param>
    /// <param name="source">What error messages call the file.</param>
    public static ClipConfig Parse(string json, string name, string source)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }); }
        catch (JsonException error) { throw new ModelConfigException(source, "(document)", $"not valid JSON: {error.Message}"); }
        using (document)
        {
            var root = new Section(source, "", document.RootElement);
            var config = root.Has("vision_cfg") ? OpenClip(root, name)
                : root.Has("vision_config") ? HuggingFace(root, name)
                : throw new ModelConfigException(source, "vision_cfg",
                    "missing (an open_clip config has vision_cfg, a Hugging Face config.json has vision_config)");
            try { config.Validate(); }
            catch (ArgumentException error) { throw new ModelConfigException(source, "(sizes)", error.Message); }
            return config;
        }
    }

    private static ClipConfig OpenClip(Section root, string name)
    {
        root.AllowOnly("embed_dim", "quick_gelu", "vision_cfg", "text_cfg", "preprocess_cfg");
        int embedDim = root.Int("embed_dim");
        var activation = (root.OptionalBool("quick_gelu") ?? false) ? MlpActivation.QuickGelu : MlpActivation.Gelu; // open_clip: absent = nn.GELU

        var vision = root.Object("vision_cfg");
        vision.AllowOnly("image_size", "channels", "layers", "width", "head_width", "mlp_ratio", "patch_size");
        int visionWidth = vision.Int("width");
        int headWidth = vision.OptionalInt("head_width") ?? 64; // open_clip's CLIPVisionCfg default
        if (headWidth <= 0 || visionWidth % headWidth != 0)
            throw vision.Error("head_width", $"{headWidth} does not divide width {visionWidth}");
        var visionConfig = new VisionConfig(
            ImageSize: vision.Int("image_size"), Channels: vision.OptionalInt("channels") ?? 3,
            PatchSize: vision.Int("patch_size"), Width: visionWidth, Layers: vision.Int("layers"),
            Heads: visionWidth / headWidth, MlpRatio: vision.Ratio("mlp_ratio"), EmbedDim: embedDim, Activation: activation);

        var text = root.Object("text_cfg");
        text.AllowOnly("context_length", "vocab_size", "width", "heads", "layers", "mlp_ratio");
        var textConfig = new TextConfig(
            ContextLength: text.Int("context_length"), VocabSize: text.Int("vocab_size"), Width: text.Int("width"),
            Layers: text.Int("layers"), Heads: text.Int("heads"), MlpRatio: text.Ratio("mlp_ratio"), EmbedDim: embedDim,
            Activation: activation);

        var preprocess = ImagePreprocess.OpenAiClip;
        if (root.Has("preprocess_cfg"))
        {
            var section = root.Object("preprocess_cfg");
            section.AllowOnly("mean", "std");
            preprocess = new ImagePreprocess(section.Doubles("mean"), section.Doubles("std"));
        }
        return new ClipConfig(name, visionConfig, textConfig, preprocess);
    }

    // Defaults are transformers' CLIPConfig / CLIPVisionConfig / CLIPTextConfig constructor defaults.
    private static ClipConfig HuggingFace(Section root, string name)
    {
        int embedDim = root.OptionalInt("projection_dim") ?? 512;
        var vision = root.Object("vision_config");
        int visionWidth = vision.OptionalInt("hidden_size") ?? 768;
        var visionConfig = new VisionConfig(
            ImageSize: vision.OptionalInt("image_size") ?? 224, Channels: vision.OptionalInt("num_channels") ?? 3,
            PatchSize: vision.OptionalInt("patch_size") ?? 32, Width: visionWidth,
            Layers: vision.OptionalInt("num_hidden_layers") ?? 12, Heads: vision.OptionalInt("num_attention_heads") ?? 12,
            MlpRatio: vision.IntermediateRatio(visionWidth, 3072), EmbedDim: embedDim, Activation: vision.HiddenAct());
        vision.LayerNormEpsilon();

        var text = root.Object("text_config");
        int textWidth = text.OptionalInt("hidden_size") ?? 512;
        var textConfig = new TextConfig(
            ContextLength: text.OptionalInt("max_position_embeddings") ?? 77, VocabSize: text.OptionalInt("vocab_size") ?? 49408,
            Width: textWidth, Layers: text.OptionalInt("num_hidden_layers") ?? 12,
            Heads: text.OptionalInt("num_attention_heads") ?? 8, MlpRatio: text.IntermediateRatio(textWidth, 2048),
            EmbedDim: embedDim, Activation: text.HiddenAct());
        text.LayerNormEpsilon();
        return new ClipConfig(name, visionConfig, textConfig, ImagePreprocess.OpenAiClip);
    }

    /// <summary>One JSON object of the file, with typed reads that name the file and the dotted field on failure.</summary>
    private sealed class Section(string file, string path, JsonElement element)
    {
        public ModelConfigException Error(string field, string problem) => new(file, path + field, problem);

        public bool Has(string field) => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(field, out _);

        public void AllowOnly(params string[] known)
        {
            foreach (var property in element.EnumerateObject())
                if (!known.Contains(property.Name))
                    throw Error(property.Name, $"unknown field (supported here: {string.Join(", ", known)})");
        }

        public Section Object(string field)
        {
            var value = Required(field);
            if (value.ValueKind != JsonValueKind.Object) throw WrongType(field, "an object", value);
            return new Section(file, path + field + ".", value);
        }

        public int Int(string field) => ToInt(field, Required(field));

        public int? OptionalInt(string field) => element.TryGetProperty(field, out var value) ? ToInt(field, value) : null;

        public bool? OptionalBool(string field)
        {
            if (!element.TryGetProperty(field, out var value)) return null;
            return value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw WrongType(field, "true or false", value),
            };
        }

        public double[] Doubles(string field)
        {
            var value = Required(field);
            if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.Number))
                throw WrongType(field, "an array of numbers", value);
            return value.EnumerateArray().Select(item => item.GetDouble()).ToArray();
        }

        // open_clip's mlp_ratio is a float (4.0); the port supports whole ratios only (every CLIP ViT's is 4).
        public int Ratio(string field)
        {
            if (!element.TryGetProperty(field, out var value)) return 4;
            if (value.ValueKind != JsonValueKind.Number) throw WrongType(field, "a number", value);
            double ratio = value.GetDouble();
            if (ratio != Math.Floor(ratio) || ratio <= 0) throw Error(field, $"{ratio} is not a positive whole number (only whole MLP ratios are supported)");
            return (int)ratio;
        }

        public int IntermediateRatio(int width, int defaultSize)
        {
            int size = OptionalInt("intermediate_size") ?? defaultSize;
            if (width <= 0 || size % width != 0)
                throw Error("intermediate_size", $"{size} is not a whole multiple of hidden_size {width}");
            return size / width;
        }

        public MlpActivation HiddenAct()
        {
            if (!element.TryGetProperty("hidden_act", out var value)) return MlpActivation.QuickGelu; // CLIP*Config default
            if (value.ValueKind != JsonValueKind.String) throw WrongType("hidden_act", "a string", value);
            return value.GetString() switch
            {
                "quick_gelu" => MlpActivation.QuickGelu,
                "gelu" => MlpActivation.Gelu,
                var other => throw Error("hidden_act", $"'{other}' is not supported (quick_gelu or gelu)"),
            };
        }

        // The port's LayerNorm uses CLIP's eps 1e-5; a file asking for another would be silently misread.
        public void LayerNormEpsilon()
        {
            if (!element.TryGetProperty("layer_norm_eps", out var value)) return;
            if (value.ValueKind != JsonValueKind.Number) throw WrongType("layer_norm_eps", "a number", value);
            if (value.GetDouble() != 1e-5) throw Error("layer_norm_eps", $"{value.GetDouble()} is not supported (CLIP's 1e-5)");
        }

        private JsonElement Required(string field) =>
            element.TryGetProperty(field, out var value) ? value : throw Error(field, "missing");

        private int ToInt(string field, JsonElement value) =>
            value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number)
                ? number
                : throw WrongType(field, "an integer", value);

        private ModelConfigException WrongType(string field, string expected, JsonElement value) =>
            Error(field, $"expected {expected}, got {value.ValueKind.ToString().ToLowerInvariant()} {value.GetRawText()}");
    }
}

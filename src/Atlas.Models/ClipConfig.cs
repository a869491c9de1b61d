namespace Atlas.Models;

/// <summary>
/// A CLIP backbone: both towers, their shared embedding size, their MLP activation and the image preprocessing they
/// expect. Every backbone comes from a model-configuration file (open_clip's or Hugging Face's format, read by
/// <see cref="ClipConfigFile"/>); the built-in ones are embedded files under <c>src/Atlas.Models/ModelConfigs/</c>.
/// </summary>
/// <param name="Name">Backbone name: the configuration file's name without <c>.json</c> (open_clip's model name for the
/// paper backbones).</param>
/// <param name="Vision">Image tower shape.</param>
/// <param name="Text">Text tower shape.</param>
/// <param name="Preprocess">Per-channel normalisation of [0, 1] images before <see cref="ClipForward.EncodeImage"/>.</param>
public sealed record ClipConfig(string Name, VisionConfig Vision, TextConfig Text, ImagePreprocess Preprocess)
{
    /// <summary>28×28 greyscale toy backbone for the CPU-sized reproduction (<c>ModelConfigs/mini.json</c>).</summary>
    public static ClipConfig Mini { get; } = ClipConfigFile.LoadBuiltIn("mini");

    /// <summary>open_clip ViT-B-32 with QuickGELU, as built for OpenAI's weights (<c>ModelConfigs/ViT-B-32.json</c>).</summary>
    public static ClipConfig VitB32 { get; } = ClipConfigFile.LoadBuiltIn("ViT-B-32");

    /// <summary>open_clip ViT-B-16 with QuickGELU, as built for OpenAI's weights (<c>ModelConfigs/ViT-B-16.json</c>).</summary>
    public static ClipConfig VitB16 { get; } = ClipConfigFile.LoadBuiltIn("ViT-B-16");

    /// <summary>open_clip ViT-L-14 with QuickGELU, as built for OpenAI's weights (<c>ModelConfigs/ViT-L-14.json</c>).</summary>
    public static ClipConfig VitL14 { get; } = ClipConfigFile.LoadBuiltIn("ViT-L-14");

    /// <summary>Every built-in backbone: one per file in <see cref="ClipConfigFile.BuiltInNames"/>.</summary>
    public static IReadOnlyList<ClipConfig> Presets { get; } = [Mini, VitB32, VitB16, VitL14];

    /// <summary>Size of the joint image–text embedding.</summary>
    public int EmbedDim => Vision.EmbedDim;

    /// <summary>The preset called <paramref name="name"/> (exact, case-sensitive match).</summary>
    /// <exception cref="ArgumentException">No preset has that name; the message lists the known ones.</exception>
    public static ClipConfig Get(string name) =>
        Presets.FirstOrDefault(preset => preset.Name == name)
        ?? throw new ArgumentException(
            $"Unknown CLIP config '{name}'. Known configs: {string.Join(", ", Presets.Select(preset => preset.Name))}.",
            nameof(name));

    internal void Validate()
    {
        Vision.Validate();
        Text.Validate();
        if (Vision.EmbedDim != Text.EmbedDim)
            throw new ArgumentException($"ClipConfig '{Name}': image embed dim {Vision.EmbedDim} != text embed dim {Text.EmbedDim}.");
        if (Preprocess.Mean.Count != Vision.Channels || Preprocess.Std.Count != Vision.Channels)
            throw new ArgumentException($"ClipConfig '{Name}': preprocessing statistics do not match {Vision.Channels} channels.");
    }
}

namespace Atlas.Models;

/// <summary>A CLIP backbone: both towers, their shared embedding size and the image preprocessing they expect.</summary>
/// <param name="Name">Preset name (open_clip's model name for the paper backbones).</param>
/// <param name="Vision">Image tower shape.</param>
/// <param name="Text">Text tower shape.</param>
/// <param name="Preprocess">Per-channel normalisation of [0, 1] images before <see cref="ClipForward.EncodeImage"/>.</param>
public sealed record ClipConfig(string Name, VisionConfig Vision, TextConfig Text, ImagePreprocess Preprocess)
{
    /// <summary>28×28 greyscale toy backbone for the CPU-sized reproduction.</summary>
    public static ClipConfig Mini { get; } = new("mini",
        new VisionConfig(ImageSize: 28, Channels: 1, PatchSize: 7, Width: 64, Layers: 4, Heads: 4, MlpRatio: 4, EmbedDim: 64),
        new TextConfig(ContextLength: 16, VocabSize: 2048, Width: 64, Layers: 2, Heads: 4, MlpRatio: 4, EmbedDim: 64),
        ImagePreprocess.Symmetric(1));

    /// <summary>open_clip ViT-B-32.</summary>
    public static ClipConfig VitB32 { get; } = new("ViT-B-32",
        new VisionConfig(ImageSize: 224, Channels: 3, PatchSize: 32, Width: 768, Layers: 12, Heads: 12, MlpRatio: 4, EmbedDim: 512),
        PaperText(width: 512, heads: 8, embedDim: 512),
        ImagePreprocess.OpenAiClip);

    /// <summary>open_clip ViT-B-16.</summary>
    public static ClipConfig VitB16 { get; } = VitB32 with { Name = "ViT-B-16", Vision = VitB32.Vision with { PatchSize = 16 } };

    /// <summary>open_clip ViT-L-14.</summary>
    public static ClipConfig VitL14 { get; } = new("ViT-L-14",
        new VisionConfig(ImageSize: 224, Channels: 3, PatchSize: 14, Width: 1024, Layers: 24, Heads: 16, MlpRatio: 4, EmbedDim: 768),
        PaperText(width: 768, heads: 12, embedDim: 768),
        ImagePreprocess.OpenAiClip);

    /// <summary>Every preset, by name.</summary>
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

    // Every paper backbone shares CLIP's BPE text setup: 77 tokens, 49408 ids, 12 layers.
    private static TextConfig PaperText(int width, int heads, int embedDim) =>
        new(ContextLength: 77, VocabSize: 49408, Width: width, Layers: 12, Heads: heads, MlpRatio: 4, EmbedDim: embedDim);
}

namespace Atlas.Models;

/// <summary>Shape of a CLIP image tower (open_clip's pre-LN ViT).</summary>
/// <param name="ImageSize">Side of the square input image in pixels.</param>
/// <param name="Channels">Input channels (3 for RGB, 1 for the greyscale mini profile).</param>
/// <param name="PatchSize">Side of a square patch; also the stride of <c>conv1</c>.</param>
/// <param name="Width">Residual stream width.</param>
/// <param name="Layers">Number of residual attention blocks.</param>
/// <param name="Heads">Attention heads per block.</param>
/// <param name="MlpRatio">MLP hidden width as a multiple of <paramref name="Width"/>.</param>
/// <param name="EmbedDim">Output (joint embedding) dimension after <c>visual.proj</c>.</param>
/// <param name="Activation">MLP nonlinearity. The default is the one every built-in backbone uses (OpenAI CLIP's and
/// the mini profile's); configuration files always state it (see <see cref="ClipConfigFile"/>).</param>
public sealed record VisionConfig(
    int ImageSize, int Channels, int PatchSize, int Width, int Layers, int Heads, int MlpRatio, int EmbedDim,
    MlpActivation Activation = MlpActivation.QuickGelu)
{
    /// <summary>Patches per side.</summary>
    public int GridSize => ImageSize / PatchSize;

    /// <summary>Sequence length: all patches plus the class token.</summary>
    public int Tokens => GridSize * GridSize + 1;

    /// <summary>Hidden width of each block's MLP.</summary>
    public int MlpWidth => Width * MlpRatio;

    internal void Validate()
    {
        ConfigChecks.Positive(nameof(VisionConfig), (nameof(ImageSize), ImageSize), (nameof(Channels), Channels),
            (nameof(PatchSize), PatchSize), (nameof(Width), Width), (nameof(Layers), Layers), (nameof(Heads), Heads),
            (nameof(MlpRatio), MlpRatio), (nameof(EmbedDim), EmbedDim));
        if (ImageSize % PatchSize != 0)
            throw new ArgumentException($"VisionConfig: image size {ImageSize} is not a multiple of patch size {PatchSize}.");
        ConfigChecks.HeadsDivideWidth(nameof(VisionConfig), Width, Heads);
    }
}

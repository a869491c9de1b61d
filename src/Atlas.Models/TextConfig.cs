namespace Atlas.Models;

/// <summary>Shape of a CLIP text tower (causal pre-LN transformer pooled at the EOT token).</summary>
/// <param name="ContextLength">Maximum number of tokens, SOT and EOT included.</param>
/// <param name="VocabSize">Rows of <c>token_embedding.weight</c>.</param>
/// <param name="Width">Residual stream width.</param>
/// <param name="Layers">Number of residual attention blocks.</param>
/// <param name="Heads">Attention heads per block.</param>
/// <param name="MlpRatio">MLP hidden width as a multiple of <paramref name="Width"/>.</param>
/// <param name="EmbedDim">Output (joint embedding) dimension after <c>text_projection</c>.</param>
/// <param name="Activation">MLP nonlinearity. The default is the one every built-in backbone uses (OpenAI CLIP's and
/// the mini profile's); configuration files always state it (see <see cref="ClipConfigFile"/>).</param>
public sealed record TextConfig(int ContextLength, int VocabSize, int Width, int Layers, int Heads, int MlpRatio, int EmbedDim,
    MlpActivation Activation = MlpActivation.QuickGelu)
{
    /// <summary>Hidden width of each block's MLP.</summary>
    public int MlpWidth => Width * MlpRatio;

    internal void Validate()
    {
        ConfigChecks.Positive(nameof(TextConfig), (nameof(ContextLength), ContextLength), (nameof(VocabSize), VocabSize),
            (nameof(Width), Width), (nameof(Layers), Layers), (nameof(Heads), Heads), (nameof(MlpRatio), MlpRatio),
            (nameof(EmbedDim), EmbedDim));
        ConfigChecks.HeadsDivideWidth(nameof(TextConfig), Width, Heads);
    }
}

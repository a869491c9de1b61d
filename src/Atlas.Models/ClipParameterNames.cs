namespace Atlas.Models;

/// <summary>
/// open_clip's parameter names and shapes for CLIP ViTs, in the order of its <c>named_parameters()</c> /
/// <c>state_dict()</c>: a module's own parameters first, then its children in registration order. Checkpoints,
/// task vectors and per-block scalings all key on these names.
/// </summary>
public static class ClipParameterNames
{
    /// <summary>Prefix of every image-tower parameter.</summary>
    public const string VisualPrefix = "visual.";

    /// <summary>The learned log temperature (a scalar shared by both towers).</summary>
    public const string LogitScale = "logit_scale";

    /// <summary>Image-tower names in canonical order (152 for ViT-B/32).</summary>
    public static IReadOnlyList<string> Visual(ClipConfig config) => Names(Shapes(config).Where(IsVisual));

    /// <summary>Text-tower names in canonical order; <see cref="LogitScale"/> belongs to neither tower.</summary>
    public static IReadOnlyList<string> Text(ClipConfig config) =>
        Names(Shapes(config).Where(p => !IsVisual(p) && p.Name != LogitScale));

    /// <summary>Prefix of the text transformer's residual blocks.</summary>
    public const string TextTransformerPrefix = "transformer.";

    /// <summary>
    /// The tensors of the image-encoder checkpoint that the reference baselines flatten (task_vectors' <c>ImageEncoder</c>
    /// with <c>keep_lang=False</c>, loaded by TIES-merging and AdaMerging): the whole CLIP minus the text transformer, so
    /// the image tower plus the text-side positional_embedding, text_projection, logit_scale, token_embedding and
    /// ln_final, which fine-tuning the image tower never changes.
    /// </summary>
    public static IReadOnlyList<(string Name, long[] Shape)> ImageEncoderCheckpoint(ClipConfig config) =>
        [.. Shapes(config).Where(p => !p.Name.StartsWith(TextTransformerPrefix, StringComparison.Ordinal))];

    /// <summary>Every parameter of the full model in open_clip's order.</summary>
    public static IReadOnlyList<string> All(ClipConfig config) => Names(Shapes(config));

    /// <summary>Every parameter of the full model with its shape, in open_clip's order.</summary>
    public static IReadOnlyList<(string Name, long[] Shape)> Shapes(ClipConfig config)
    {
        config.Validate();
        var text = TextShapes(config.Text);
        // CLIP's own parameters (positional_embedding, text_projection, logit_scale) precede its submodules
        // visual, transformer, token_embedding, ln_final.
        return [.. text.Take(2), (LogitScale, []), .. VisualShapes(config.Vision), .. text.Skip(2)];
    }

    private static List<(string Name, long[] Shape)> VisualShapes(VisionConfig vision)
    {
        long width = vision.Width;
        var shapes = new List<(string Name, long[] Shape)>
        {
            ("visual.class_embedding", [width]),
            ("visual.positional_embedding", [vision.Tokens, width]),
            ("visual.proj", [width, vision.EmbedDim]),
            ("visual.conv1.weight", [width, vision.Channels, vision.PatchSize, vision.PatchSize]),
            ("visual.ln_pre.weight", [width]),
            ("visual.ln_pre.bias", [width]),
        };
        shapes.AddRange(Blocks("visual.transformer.resblocks.", vision.Layers, width, vision.MlpWidth));
        shapes.Add(("visual.ln_post.weight", [width]));
        shapes.Add(("visual.ln_post.bias", [width]));
        return shapes;
    }

    // Text tower in CLIP's order: its two own parameters, then transformer, token_embedding, ln_final.
    private static List<(string Name, long[] Shape)> TextShapes(TextConfig text)
    {
        long width = text.Width;
        var shapes = new List<(string Name, long[] Shape)>
        {
            ("positional_embedding", [text.ContextLength, width]),
            ("text_projection", [width, text.EmbedDim]),
        };
        shapes.AddRange(Blocks(TextTransformerPrefix + "resblocks.", text.Layers, width, text.MlpWidth));
        shapes.Add(("token_embedding.weight", [text.VocabSize, width]));
        shapes.Add(("ln_final.weight", [width]));
        shapes.Add(("ln_final.bias", [width]));
        return shapes;
    }

    // ResidualAttentionBlock: ln_1, attn (nn.MultiheadAttention with fused in_proj), ln_2, mlp (c_fc, c_proj).
    private static IEnumerable<(string Name, long[] Shape)> Blocks(string prefix, int layers, long width, long mlpWidth)
    {
        for (int layer = 0; layer < layers; layer++)
        {
            string p = $"{prefix}{layer}.";
            yield return (p + "ln_1.weight", [width]);
            yield return (p + "ln_1.bias", [width]);
            yield return (p + "attn.in_proj_weight", [3 * width, width]);
            yield return (p + "attn.in_proj_bias", [3 * width]);
            yield return (p + "attn.out_proj.weight", [width, width]);
            yield return (p + "attn.out_proj.bias", [width]);
            yield return (p + "ln_2.weight", [width]);
            yield return (p + "ln_2.bias", [width]);
            yield return (p + "mlp.c_fc.weight", [mlpWidth, width]);
            yield return (p + "mlp.c_fc.bias", [mlpWidth]);
            yield return (p + "mlp.c_proj.weight", [width, mlpWidth]);
            yield return (p + "mlp.c_proj.bias", [width]);
        }
    }

    private static bool IsVisual((string Name, long[] Shape) parameter) =>
        parameter.Name.StartsWith(VisualPrefix, StringComparison.Ordinal);

    private static IReadOnlyList<string> Names(IEnumerable<(string Name, long[] Shape)> shapes) =>
        shapes.Select(p => p.Name).ToArray();
}

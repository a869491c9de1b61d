using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Models;

/// <summary>
/// Functional CLIP forward over a name → tensor dictionary with open_clip's parameter names (see
/// <see cref="ClipParameterNames"/>). TorchSharp has no <c>functional_call</c>; passing the weights explicitly lets
/// callers substitute θ0 + Σ Λ·τ, LoRA-merged weights, etc. per forward while gradients flow into whatever tensors
/// the dictionary holds. Only the keys a tower needs are read; extra keys are ignored.
/// </summary>
public static class ClipForward
{
    /// <summary>Image embeddings, not normalised.</summary>
    /// <param name="images">Preprocessed images [N, C, H, W] with H = W = <see cref="VisionConfig.ImageSize"/>.</param>
    /// <param name="weights">Image-tower weights, keys with the <c>visual.</c> prefix.</param>
    /// <param name="config">Image tower shape; it supplies what the weights do not imply (patch size, heads, depth).</param>
    /// <returns>[N, E] features: ln_post of the class token, times <c>visual.proj</c>.</returns>
    public static Tensor EncodeImage(Tensor images, IReadOnlyDictionary<string, Tensor> weights, VisionConfig config)
    {
        config.Validate();
        if (images.dim() != 4 || images.shape[1] != config.Channels || images.shape[2] != config.ImageSize || images.shape[3] != config.ImageSize)
            throw new ArgumentException(
                $"expected images [N, {config.Channels}, {config.ImageSize}, {config.ImageSize}], got [{string.Join(", ", images.shape)}]",
                nameof(images));
        using var scope = NewDisposeScope();
        long batch = images.shape[0], width = config.Width;

        var patches = nn.functional.conv2d(images, WeightAccess.Get(weights, "visual.conv1.weight"),
            strides: [config.PatchSize, config.PatchSize]);
        var x = patches.flatten(2).transpose(1, 2); // [N, grid², W]
        var classToken = WeightAccess.Get(weights, "visual.class_embedding").view(1, 1, width).expand(batch, 1, width);
        x = cat([classToken, x], dim: 1) + WeightAccess.Get(weights, "visual.positional_embedding");
        x = WeightAccess.LayerNorm(x, weights, "visual.ln_pre");
        x = ResidualBlocks.Run(x, weights, "visual.transformer.resblocks.", config.Layers, config.Heads, causal: false, config.Activation);
        var pooled = WeightAccess.LayerNorm(x.select(1, 0), weights, "visual.ln_post");
        return pooled.matmul(WeightAccess.Get(weights, "visual.proj")).MoveToOuterDisposeScope();
    }

    /// <summary>Text embeddings, not normalised.</summary>
    /// <param name="tokens">Token ids [N, T] (int64, T ≤ context length); the EOT token must have the highest id in
    /// its row, as with CLIP's tokenizer and <see cref="HashingWordTokenizer"/>.</param>
    /// <param name="weights">Text-tower weights (top-level open_clip names).</param>
    /// <param name="config">Text tower shape.</param>
    /// <returns>[N, E] features: ln_final at the EOT position (argmax of the ids), times <c>text_projection</c>.</returns>
    public static Tensor EncodeText(Tensor tokens, IReadOnlyDictionary<string, Tensor> weights, TextConfig config)
    {
        using var scope = NewDisposeScope();
        var hidden = TextTokens(tokens, weights, config);
        var endOfText = tokens.argmax(-1);
        using Scalar rows = tokens.shape[0].ToScalar();
        var pooled = hidden[arange(rows, dtype: ScalarType.Int64, device: tokens.device), endOfText];
        return pooled.matmul(WeightAccess.Get(weights, "text_projection")).MoveToOuterDisposeScope();
    }

    /// <summary>Per-token text features [N, T, W] after <c>ln_final</c>, before pooling and projection. Causal: the
    /// row at position i depends only on tokens 0..i.</summary>
    public static Tensor TextHiddenStates(Tensor tokens, IReadOnlyDictionary<string, Tensor> weights, TextConfig config)
    {
        using var scope = NewDisposeScope();
        return TextTokens(tokens, weights, config).MoveToOuterDisposeScope();
    }

    // Caller owns the dispose scope.
    private static Tensor TextTokens(Tensor tokens, IReadOnlyDictionary<string, Tensor> weights, TextConfig config)
    {
        config.Validate();
        if (tokens.dim() != 2 || tokens.shape[1] > config.ContextLength || tokens.dtype != ScalarType.Int64)
            throw new ArgumentException(
                $"expected int64 tokens [N, T ≤ {config.ContextLength}], got {tokens.dtype} [{string.Join(", ", tokens.shape)}]",
                nameof(tokens));
        long batch = tokens.shape[0], length = tokens.shape[1];
        var x = WeightAccess.Get(weights, "token_embedding.weight").index_select(0, tokens.reshape(-1)).view(batch, length, -1);
        x = x + WeightAccess.Get(weights, "positional_embedding").narrow(0, 0, length);
        x = ResidualBlocks.Run(x, weights, "transformer.resblocks.", config.Layers, config.Heads, causal: true, config.Activation);
        return WeightAccess.LayerNorm(x, weights, "ln_final");
    }
}

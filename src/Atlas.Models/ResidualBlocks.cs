using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Models;

/// <summary>
/// open_clip's pre-LN <c>Transformer</c>: x += attn(ln_1(x)); x += mlp(ln_2(x)), on batch-first [N, T, W] inputs.
/// Callers own the dispose scope.
/// </summary>
internal static class ResidualBlocks
{
    internal static Tensor Run(
        Tensor x, IReadOnlyDictionary<string, Tensor> weights, string prefix, int layers, int heads, bool causal,
        MlpActivation activation)
    {
        for (int layer = 0; layer < layers; layer++)
        {
            string block = $"{prefix}{layer}.";
            x = x + Attention(WeightAccess.LayerNorm(x, weights, block + "ln_1"), weights, block + "attn.", heads, causal);
            x = x + Mlp(WeightAccess.LayerNorm(x, weights, block + "ln_2"), weights, block + "mlp.", activation);
        }
        return x;
    }

    // nn.MultiheadAttention semantics: one fused [3W, W] projection whose rows are q, k, v in that order, each split
    // into contiguous head slices of W / heads; scores scaled by head_dim^-0.5; heads concatenated before out_proj.
    private static Tensor Attention(Tensor x, IReadOnlyDictionary<string, Tensor> weights, string prefix, int heads, bool causal)
    {
        long batch = x.shape[0], tokens = x.shape[1], width = x.shape[2];
        var qkv = nn.functional.linear(x, WeightAccess.Get(weights, prefix + "in_proj_weight"), WeightAccess.Get(weights, prefix + "in_proj_bias"))
            .view(batch, tokens, 3, heads, width / heads)
            .permute(2, 0, 3, 1, 4);
        var attended = nn.functional.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], is_casual: causal)
            .transpose(1, 2)
            .reshape(batch, tokens, width);
        return nn.functional.linear(attended, WeightAccess.Get(weights, prefix + "out_proj.weight"), WeightAccess.Get(weights, prefix + "out_proj.bias"));
    }

    private static readonly Scalar QuickGeluSlope = 1.702.ToScalar();

    // c_fc → the configured activation → c_proj.
    private static Tensor Mlp(Tensor x, IReadOnlyDictionary<string, Tensor> weights, string prefix, MlpActivation activation)
    {
        var hidden = nn.functional.linear(x, WeightAccess.Get(weights, prefix + "c_fc.weight"), WeightAccess.Get(weights, prefix + "c_fc.bias"));
        hidden = activation switch
        {
            MlpActivation.QuickGelu => hidden * sigmoid(QuickGeluSlope * hidden),
            MlpActivation.Gelu => nn.functional.gelu(hidden),
            _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown MLP activation"),
        };
        return nn.functional.linear(hidden, WeightAccess.Get(weights, prefix + "c_proj.weight"), WeightAccess.Get(weights, prefix + "c_proj.bias"));
    }
}

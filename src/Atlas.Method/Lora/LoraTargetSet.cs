namespace Atlas.Method.Lora;

/// <summary>Which matrices of every visual residual block get a LoRA pair (the ssl branch's <c>--attn-only</c> and
/// <c>--mlp-only</c> flags select the subsets).</summary>
public enum LoraTargetSet
{
    /// <summary><c>attn.in_proj_weight</c>, <c>attn.out_proj.weight</c>, <c>mlp.c_fc.weight</c>, <c>mlp.c_proj.weight</c>
    /// (the paper's LoRA baseline).</summary>
    All,

    /// <summary><c>attn.in_proj_weight</c> and <c>attn.out_proj.weight</c> only (<c>--attn-only</c>).</summary>
    AttentionOnly,

    /// <summary><c>mlp.c_fc.weight</c> and <c>mlp.c_proj.weight</c> only (<c>--mlp-only</c>).</summary>
    MlpOnly,
}

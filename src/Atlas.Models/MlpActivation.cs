namespace Atlas.Models;

/// <summary>
/// The nonlinearity between a residual block's <c>c_fc</c> and <c>c_proj</c>. It is part of a backbone's
/// configuration (open_clip's <c>quick_gelu</c>, Hugging Face's <c>hidden_act</c>), never assumed: OpenAI's CLIP
/// weights were trained with <see cref="QuickGelu"/>, open_clip's LAION/DataComp weights with <see cref="Gelu"/>, and
/// running one with the other's activation silently degrades every embedding.
/// </summary>
public enum MlpActivation
{
    /// <summary>x·σ(1.702·x): OpenAI CLIP's approximation (open_clip <c>quick_gelu: true</c>, HF <c>quick_gelu</c>).</summary>
    QuickGelu,

    /// <summary>The exact erf GELU, PyTorch's <c>nn.GELU()</c> (open_clip's default, HF <c>gelu</c>).</summary>
    Gelu,
}

using System.Text.Json.Serialization;

namespace Atlas.Pipeline.Specs;

/// <summary>How LP++ trains its linear layer W, b and its class-wise blend α (docs/method.md §M4.4).</summary>
[JsonConverter(typeof(SpecNameJsonConverter))]
public enum LppOptimizer
{
    /// <summary>The LP++ authors' code: full-batch SGD with momentum 0.9 on W and b at lr_w = 4N/λ_max(FᵀF), and a
    /// plain gradient step on α at lr_α = N/(4·max_c Σ_i (f̂_i·t_c)²) after every 10th epoch (with α's gradient summed
    /// over all epochs so far, as that code never zeroes it); no weight decay, clipping or schedule.</summary>
    Original,

    /// <summary>The aTLAS wrapper's variant: AdamW on W, b and α together at lr_w, the adapters' weight decay (0.1)
    /// and gradient clip, cosine schedule without warm-up.</summary>
    AtlasAdamW,
}

/// <summary>Where LP++'s class-wise α starts: 250 × a text similarity of the cached shots.</summary>
[JsonConverter(typeof(SpecNameJsonConverter))]
public enum LppAlphaInit
{
    /// <summary>Every α_c = 250 × the mean over classes of the per-class similarities below: what both released
    /// codes compute (<c>calculate_init_alpha</c> ends in <c>torch.mean</c>, in the LP++ authors' repository and in
    /// aTLAS's <c>lpplusplus.py</c>). The default.</summary>
    ClassMean,

    /// <summary>α_c = 250 × the mean, over class c's cached features, of their similarity to class c's own text
    /// embedding, without the final mean over classes (one reading of the reference notes §4.6).</summary>
    PerClass,
}

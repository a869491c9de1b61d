using System.ComponentModel.DataAnnotations;
using System.Runtime.Serialization;
using System.Text.Json.Serialization;

namespace Atlas.Pipeline.Specs;

/// <summary>
/// Task addition (docs/method.md §M4.2): one set of coefficients for all listed tasks' vectors, compared across merging methods.
/// </summary>
public sealed record AdditionSpec : ISpecSection
{
    void ISpecSection.Check(SpecValidator check, FieldPath path)
    {
        check.CheckDistinct(Methods, path.Key("methods"), "method");
        var tasks = Tasks ?? [];
        for (int i = 0; i < tasks.Count; i++)
        {
            if (tasks.IndexOf(tasks[i]) < i) check.Fail(path.Key("tasks").Index(i), $"task '{tasks[i]}' is listed twice");
            else check.CheckTaskReference(tasks[i], path.Key("tasks").Index(i));
        }
        if (Tasks is null && check.Spec.Tasks.Count < 2)
            check.Fail(path, $"task addition needs at least two tasks; the spec has {check.Spec.Tasks.Count}");
        check.CheckCoefficientTraining(Learn, path.Key("learn"));
        check.CheckGrid(AlphaGrid, path.Key("alpha_grid"));
        // AdaMerging draws each batch afresh from a task's unlabelled test split: distinct images, so at most all of them.
        if (Methods.Contains(CompositionMethod.AdaMerging)
            && (Tasks ?? [.. check.Spec.Tasks.Select(t => t.Name)])
                .Select(task => (Task: task, Test: check.TaskClassImages(task, c => c.Test)?.Sum()))
                .Where(t => t.Test is not null).OrderBy(t => t.Test).FirstOrDefault() is { Test: int smallest } fewest
            && smallest < Adamerging.Batch)
            check.Fail(path.Key("adamerging").Key("batch"), $"a batch of {Adamerging.Batch} distinct test images, but task '{fewest.Task}' has {smallest} in its test split");
        check.CheckGrid(Ties.Grid, path.Key("ties").Key("grid"));
    }

    /// <summary>The methods to run, one table row each (zero-shot and fine-tuned rows are always shown).</summary>
    public List<CompositionMethod> Methods { get; init; } =
    [
        CompositionMethod.TaskArithmetic, CompositionMethod.Ties, CompositionMethod.AdaMerging,
        CompositionMethod.AtlasIsotropic, CompositionMethod.AtlasBlockwise,
    ];

    /// <summary>Tasks whose vectors are added (at least two); absent means every task of the spec.</summary>
    [MinLength(2)]
    public List<string>? Tasks { get; init; }

    /// <summary>How aTLAS learns its coefficients on the tasks' validation splits (<c>batch</c> is per task).</summary>
    public required CoefficientTraining Learn { get; init; }

    /// <summary>Task arithmetic's α grid, searched on validation (paper: 0 to 1, 21 values).</summary>
    public ScalingGridSpec AlphaGrid { get; init; } = new();

    /// <summary>TIES-merging: the kept fraction and the λ grid searched on validation.</summary>
    public TiesSpec Ties { get; init; } = new();

    /// <summary>Layer-wise AdaMerging: entropy minimisation on the unlabelled test splits, as its reference code.</summary>
    public AdaMergingSpec Adamerging { get; init; } = new();
}

/// <summary>TIES-merging's settings (Yadav et al., NeurIPS 2023: trim, elect sign, disjoint mean).</summary>
public sealed record TiesSpec
{
    /// <summary>Fraction of each task vector's entries kept by magnitude (TIES paper: 0.2), counted over
    /// <c>trim_scope</c>.</summary>
    [Range(0d, 1d, MinimumIsExclusive = true)]
    public double Keep { get; init; } = 0.2;

    /// <summary>Which entries the kept fraction is counted over: <c>state_dict</c> (reference) or <c>image_tower</c>.</summary>
    public TiesTrimScope TrimScope { get; init; } = TiesTrimScope.StateDict;

    /// <summary>The λ grid for θ0 + λ·τ_merged, searched on validation.</summary>
    public ScalingGridSpec Grid { get; init; } = new() { Start = 0.1, Stop = 2.0, Count = 20 };
}

/// <summary>The entries over which TIES's trim step counts its top fraction. Only the image tower's entries are ever
/// nonzero; the scopes differ in how many always-zero entries enlarge the count.</summary>
[JsonConverter(typeof(SpecNameJsonConverter))]
public enum TiesTrimScope
{
    /// <summary>The reference's: the whole flattened checkpoint the task vectors are taken over (task_vectors'
    /// image encoder, i.e. CLIP minus the text transformer), whose text entries are always 0. k = keep · (image tower +
    /// those entries), all of them taken from the image tower: on ViT-B/32, top 20% keeps 25.8% of the tower's entries.</summary>
    StateDict,

    /// <summary>Only the tensors the task vectors change (the image tower): top 20% keeps 20% of them.</summary>
    ImageTower,
}

/// <summary>Layer-wise AdaMerging's settings (Yang et al., ICLR 2024; reference <c>src/main_layer_wise_adamerging.py</c>):
/// θ = θ0 + Σ_t clamp(λ_t, 0, 1) ⊙ τ_t, λ from <c>init</c>, Adam (β = 0.9, 0.999, no weight decay) on the summed mean
/// prediction entropy of unlabelled test batches; the last λ is the result.</summary>
public sealed record AdaMergingSpec
{
    /// <summary>Which parameters share a coefficient: <c>per_tensor</c> (reference) or <c>per_layer</c>.</summary>
    public AdaMergingGranularity Granularity { get; init; } = AdaMergingGranularity.PerTensor;

    /// <summary>Adam's constant learning rate (AdaMerging: 1e-3).</summary>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public double Lr { get; init; } = 1e-3;

    /// <summary>Optimizer steps (AdaMerging: 500).</summary>
    [Range(1, int.MaxValue)]
    public int Steps { get; init; } = 500;

    /// <summary>Unlabelled test images per batch (AdaMerging: 16).</summary>
    [Range(1, int.MaxValue)]
    public int Batch { get; init; } = 16;

    /// <summary>Batches per task and step, drawn from a fresh shuffle of the task's test split; the loss sums their
    /// mean entropies (AdaMerging: 2, its loop breaks after the second batch).</summary>
    [Range(1, int.MaxValue)]
    public int BatchesPerTask { get; init; } = 2;

    /// <summary>Starting value of every coefficient (AdaMerging's prior: 0.3).</summary>
    [Range(0d, 1d)]
    public double Init { get; init; } = 0.3;
}

/// <summary>Which parameters share one AdaMerging coefficient per task vector.</summary>
[JsonConverter(typeof(SpecNameJsonConverter))]
public enum AdaMergingGranularity
{
    /// <summary>The reference's "layer-wise": one λ per task vector and parameter tensor (Λ [T, P]).</summary>
    PerTensor,

    /// <summary>One λ per task vector and transformer layer, plus one for the embedding side and one for the output
    /// side (Λ [T, layers + 2]); coarser than the reference.</summary>
    PerLayer,
}

/// <summary>The task-addition methods; their spec names are also their stage ids (<c>addition/NAME</c>).</summary>
[JsonConverter(typeof(SpecNameJsonConverter))]
public enum CompositionMethod
{
    /// <summary>θ0 + α·Σ τ with α searched on validation.</summary>
    TaskArithmetic,

    /// <summary>TIES-merging (trim, elect sign, disjoint mean), its λ searched on validation.</summary>
    Ties,

    /// <summary>Layer-wise AdaMerging: entropy minimisation on the unlabelled test splits.</summary>
    [EnumMember(Value = "adamerging")]
    AdaMerging,

    /// <summary>aTLAS with one coefficient per task vector.</summary>
    AtlasIsotropic,

    /// <summary>aTLAS with one coefficient per task vector and parameter block.</summary>
    AtlasBlockwise,
}

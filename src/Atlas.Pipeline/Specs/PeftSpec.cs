using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Atlas.Pipeline.Specs;

/// <summary>
/// The parameter-efficient fine-tuning comparison (docs/method.md §M6): per target task and data fraction, aTLAS × K over the
/// other tasks' vectors, LoRA and full fine-tuning learn the same cross-entropy from the same images, and each is scored
/// on the test split with its learnable-parameter count, step time and peak memory.
/// </summary>
public sealed record PeftSpec : ISpecSection
{
    void ISpecSection.Check(SpecValidator check, FieldPath path)
    {
        check.CheckTargets(Targets, path.Key("targets"));
        check.CheckDistinct(Methods, path.Key("methods"), "method");
        for (int i = 0; i < Atlas.Partitions.Count; i++)
            if (Atlas.Partitions.IndexOf(Atlas.Partitions[i]) < i)
                check.Fail(path.Key("atlas").Key("partitions").Index(i), $"K = {Atlas.Partitions[i]} is listed twice");
        for (int i = 1; i < Fractions.Count; i++)
            if (Fractions[i] <= Fractions[i - 1])
                check.Fail(path.Key("fractions").Index(i), FormattableString.Invariant($"fractions must be ascending, got {Fractions[i]} after {Fractions[i - 1]}"));
        if (Methods.Contains(PeftMethod.Atlas) && check.Spec.Tasks.Count < 2)
            check.Fail(path.Key("methods"), "aTLAS needs at least one other task's vector; the spec has one task");
        check.CheckCropScale(CropScale, path.Key("crop_scale"));
    }

    /// <summary>Target tasks.</summary>
    [MinLength(1)]
    public required List<string> Targets { get; init; }

    /// <summary>Fractions of each target's train partition, ascending; smaller subsets are prefixes of larger ones
    /// (paper: 0.01, 0.05, 0.1, 0.25, 0.35, 0.5, 1).</summary>
    [MinLength(1), Range(0d, 1d, MinimumIsExclusive = true)]
    public List<double> Fractions { get; init; } = [0.01, 0.05, 0.1, 0.25, 0.5, 1.0];

    /// <summary>The methods to compare: <c>atlas</c> (aTLAS × K), <c>lora</c>, <c>full</c> (full fine-tuning).</summary>
    [MinLength(1)]
    public List<PeftMethod> Methods { get; init; } = [PeftMethod.Atlas, PeftMethod.Lora, PeftMethod.Full];

    /// <summary>Passes over the subset (paper: per dataset, e.g. MNIST 5, DTD 76); steps grow with the fraction.</summary>
    [Range(1, int.MaxValue)]
    public required int Epochs { get; init; }

    /// <summary>Images per step, capped at the subset's size (paper: 128).</summary>
    [Range(1, int.MaxValue)]
    public required int Batch { get; init; }

    /// <summary>Random-resized-crop scale range, with random flips (paper: 0.5–1, Tip-Adapter's augmentation).</summary>
    [Length(2, 2), Range(0d, 1d, MinimumIsExclusive = true)]
    public List<double> CropScale { get; init; } = [0.5, 1.0];

    /// <summary>aTLAS × K (paper: lr 0.1, cosine, K = 10, the epoch with the best validation accuracy).</summary>
    public AtlasPeftSpec Atlas { get; init; } = new();

    /// <summary>LoRA (paper: r 16, α 32, lr 1e-3, warm-up then cosine, the last step).</summary>
    public LoraPeftSpec Lora { get; init; } = new();

    /// <summary>Full fine-tuning of the image tower (paper: LoRA's recipe with lr 1e-5).</summary>
    public PeftTraining Full { get; init; } = new() { Lr = 1e-5, WarmupFraction = 0.1 };
}

/// <summary>How one PEFT method is optimised: AdamW with decoupled weight decay, warm-up then cosine, grad-norm clipping.</summary>
public record PeftTraining
{
    /// <summary>Peak learning rate.</summary>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public double Lr { get; init; } = 1e-3;

    /// <summary>AdamW decoupled weight decay (paper: 0.1).</summary>
    [Range(0d, double.PositiveInfinity)]
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>Share of the steps spent warming the rate up linearly before the cosine decay (paper, LoRA: 500 steps).</summary>
    [Range(0d, 1d, MaximumIsExclusive = true)]
    public double WarmupFraction { get; init; }

    /// <summary>Largest global gradient L2 norm.</summary>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public double GradClip { get; init; } = 1.0;

    /// <summary><c>validation</c> keeps the epoch with the best accuracy on the labelled validation split (Λ = 0 or the
    /// pretrained tower if none beats it); <c>last</c> keeps the last step.</summary>
    public ModelSelection Selection { get; init; } = ModelSelection.Last;
}

/// <summary>aTLAS × K: Λ [T, P, K] over the other tasks' vectors, every block's elements split at random into K parts.</summary>
public sealed record AtlasPeftSpec : PeftTraining
{
    public AtlasPeftSpec()
    {
        Lr = 0.1;
        Selection = ModelSelection.Validation;
    }

    /// <summary>K, partitions per block: one aTLAS × K run per value (paper: 10 in its scripts; its Table 17 sweeps 1 to
    /// 1200, matching LoRA's parameter count at the top).</summary>
    [MinLength(1), Range(1, int.MaxValue)]
    public List<int> Partitions { get; init; } = [10];

    /// <summary><c>per_tensor</c> draws one partition per block; <c>per_shape</c> shares one among blocks of equal shape,
    /// as the released code does.</summary>
    public PartitionScopeOption PartitionScope { get; init; } = PartitionScopeOption.PerTensor;

    /// <summary><c>all</c> adapts every block; <c>matrices</c> adapts only 2-D blocks and leaves the rest at θ0, as the
    /// released code does. Only the <c>full</c> pool has blocks other than matrices.</summary>
    public PartitionBlocksOption PartitionBlocks { get; init; } = PartitionBlocksOption.All;

    /// <summary>The task vectors composed: <c>lora</c> (paper App. F: one LoRA fine-tuning per pool task, τ = (α/r)·B·A,
    /// and Λ [T, P, K] only over the P adapted matrices) or <c>full</c> (the full fine-tunes' vectors over every block,
    /// as the released code's PEFT script does).</summary>
    public PeftVectorPool Pool { get; init; } = PeftVectorPool.Lora;

    /// <summary>How the LoRA task vectors are fine-tuned (pool <c>lora</c>): the experiment's fine-tuning recipe (steps,
    /// batch, warm-up, schedule, weight decay, clip, crop, per-task overrides) with this rank, α and rate (paper App.
    /// D.7: full fine-tuning's settings except lr 1e-3; r 16, α 32).</summary>
    public LoraVectorSpec LoraVectors { get; init; } = new();
}

/// <summary>The LoRA fine-tuning that yields a LoRA task vector: pairs on the attention in/out projections and both MLP
/// matrices of every residual block, trained with the experiment's fine-tuning recipe at this rate.</summary>
public sealed record LoraVectorSpec
{
    /// <summary>r (paper: 16).</summary>
    [Range(1, int.MaxValue)]
    public int Rank { get; init; } = 16;

    /// <summary>α; the update is scaled by α/r (paper: 32).</summary>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public double Alpha { get; init; } = 32;

    /// <summary>Peak learning rate; replaces the fine-tuning recipe's (paper App. D.7: 1e-3).</summary>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public double Lr { get; init; } = 1e-3;
}

/// <summary>Which task vectors aTLAS × K composes in the PEFT comparison.</summary>
[JsonConverter(typeof(SpecNameJsonConverter))]
public enum PeftVectorPool
{
    /// <summary>LoRA task vectors, Λ over the LoRA-adapted matrices only (the paper, App. F).</summary>
    Lora,

    /// <summary>The full fine-tunes' task vectors, Λ over every block (the released code's PEFT script).</summary>
    Full,
}

/// <summary>LoRA pairs on the attention in/out projections and both MLP matrices of every residual block.</summary>
public sealed record LoraPeftSpec : PeftTraining
{
    /// <summary>r (paper: 16).</summary>
    [Range(1, int.MaxValue)]
    public int Rank { get; init; } = 16;

    /// <summary>α; the update is scaled by α/r (paper: 32).</summary>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public double Alpha { get; init; } = 32;
}

/// <summary>The PEFT methods compared.</summary>
[JsonConverter(typeof(SpecNameJsonConverter))]
public enum PeftMethod
{
    /// <summary>aTLAS × K over the other tasks' vectors.</summary>
    Atlas,

    /// <summary>LoRA pairs on the attention and MLP matrices.</summary>
    Lora,

    /// <summary>Every weight of the image tower.</summary>
    Full,
}

/// <summary>How aTLAS × K draws its partitions.</summary>
[JsonConverter(typeof(SpecNameJsonConverter))]
public enum PartitionScopeOption
{
    /// <summary>One random partition per block.</summary>
    PerTensor,

    /// <summary>One partition shared among blocks of equal shape, as the released code does.</summary>
    PerShape,
}

/// <summary>Which blocks aTLAS × K adapts.</summary>
[JsonConverter(typeof(SpecNameJsonConverter))]
public enum PartitionBlocksOption
{
    /// <summary>Every block.</summary>
    All,

    /// <summary>Only 2-D blocks; the rest stay at θ0, as the released code does.</summary>
    Matrices,
}

/// <summary>The runs of a PEFT comparison.</summary>
public static class PeftVariants
{
    /// <summary>The runs a spec asks for per data fraction, in table order: one per method, and for aTLAS one per K.</summary>
    public static IReadOnlyList<PeftVariant> Of(PeftSpec spec) =>
    [
        .. spec.Methods.SelectMany(method => method switch
        {
            PeftMethod.Atlas => spec.Atlas.Partitions.Select(k => new PeftVariant($"atlas_x{k}", method, k)),
            PeftMethod.Lora => [new PeftVariant($"lora_r{spec.Lora.Rank}", method, null)],
            PeftMethod.Full => [new PeftVariant("full_finetune", method, null)],
            _ => throw new ArgumentOutOfRangeException(nameof(spec), method, "unknown PEFT method"),
        }),
    ];
}

/// <summary>One run of a PEFT comparison per data fraction: its table name, method and (aTLAS) K.</summary>
public sealed record PeftVariant(string Name, PeftMethod Method, int? Partitions);

using System.ComponentModel.DataAnnotations;

namespace Atlas.Pipeline.Specs;

/// <summary>
/// The parameter-efficient fine-tuning comparison (spec §4.5): per target task and data fraction, aTLAS × K over the
/// other tasks' vectors, LoRA and full fine-tuning learn the same cross-entropy from the same images, and each is scored
/// on the test split with its learnable-parameter count, step time and peak memory.
/// </summary>
public sealed record PeftSpec
{
    /// <summary>Target tasks.</summary>
    [MinLength(1)]
    public required List<string> Targets { get; init; }

    /// <summary>Fractions of each target's train partition, ascending; smaller subsets are prefixes of larger ones
    /// (paper: 0.01, 0.05, 0.1, 0.25, 0.35, 0.5, 1).</summary>
    [MinLength(1), Range(0d, 1d, MinimumIsExclusive = true)]
    public List<double> Fractions { get; init; } = [0.01, 0.05, 0.1, 0.25, 0.5, 1.0];

    /// <summary>The methods to compare: <c>atlas</c> (aTLAS × K), <c>lora</c>, <c>full</c> (full fine-tuning).</summary>
    [MinLength(1), AllowedValues(PeftMethods.Atlas, PeftMethods.Lora, PeftMethods.Full)]
    public List<string> Methods { get; init; } = [PeftMethods.Atlas, PeftMethods.Lora, PeftMethods.Full];

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

/// <summary>How one PEFT method is optimised: AdamW with decoupled weight decay, grad-norm clipping 1.0.</summary>
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

    /// <summary><c>validation</c> keeps the epoch with the best accuracy on the labelled validation split (Λ = 0 or the
    /// pretrained tower if none beats it); <c>last</c> keeps the last step.</summary>
    [AllowedValues("validation", "last")]
    public string Selection { get; init; } = "last";
}

/// <summary>aTLAS × K: Λ [T, P, K] over the other tasks' vectors, every block's elements split at random into K parts.</summary>
public sealed record AtlasPeftSpec : PeftTraining
{
    public AtlasPeftSpec()
    {
        Lr = 0.1;
        Selection = "validation";
    }

    /// <summary>K, partitions per block: one aTLAS × K run per value (paper: 10 in its scripts; its Table 17 sweeps 1 to
    /// 1200, matching LoRA's parameter count at the top).</summary>
    [MinLength(1), Range(1, int.MaxValue)]
    public List<int> Partitions { get; init; } = [10];

    /// <summary><c>per_tensor</c> draws one partition per block; <c>per_shape</c> shares one among blocks of equal shape,
    /// as the released code does.</summary>
    [AllowedValues("per_tensor", "per_shape")]
    public string PartitionScope { get; init; } = "per_tensor";

    /// <summary><c>all</c> adapts every block; <c>matrices</c> adapts only 2-D blocks and leaves the rest at θ0, as the
    /// released code does.</summary>
    [AllowedValues("all", "matrices")]
    public string PartitionBlocks { get; init; } = "all";
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

/// <summary>The PEFT methods, as written in specs and tables.</summary>
public static class PeftMethods
{
    public const string Atlas = "atlas";
    public const string Lora = "lora";
    public const string Full = "full";

    /// <summary>The runs a spec asks for per data fraction, in table order: one per method, and for aTLAS one per K.</summary>
    public static IReadOnlyList<PeftVariant> Variants(PeftSpec spec) =>
    [
        .. spec.Methods.SelectMany(method => method switch
        {
            Atlas => spec.Atlas.Partitions.Select(k => new PeftVariant($"atlas_x{k}", method, k)),
            Lora => [new PeftVariant($"lora_r{spec.Lora.Rank}", method, null)],
            _ => [new PeftVariant("full_finetune", method, null)],
        }),
    ];
}

/// <summary>One run of a PEFT comparison per data fraction: its table name, method and (aTLAS) K.</summary>
public sealed record PeftVariant(string Name, string Method, int? Partitions);

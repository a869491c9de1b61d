namespace Atlas.Bench;

/// <summary>One measured operation.</summary>
/// <param name="Operation">One of <see cref="StepOperations.All"/>.</param>
/// <param name="TaskCount">T for <see cref="StepOperations.Atlas"/> and <see cref="StepOperations.Selection"/>.</param>
/// <param name="Partitions">K for an aTLAS×K step; null: one coefficient per block.</param>
public sealed record StepRequest(string Operation, int TaskCount = 0, int? Partitions = null)
{
    /// <summary>A short label for tables: <c>atlas T=7 x10</c>, <c>lora</c>.</summary>
    public string Label => Operation switch
    {
        StepOperations.Atlas => $"atlas T={TaskCount}" + (Partitions is { } k ? $" x{k}" : ""),
        StepOperations.Selection => $"selection pass T={TaskCount}",
        _ => Operation,
    };
}

/// <summary>The operations a bench step can time.</summary>
public static class StepOperations
{
    /// <summary>Image-tower forward and head logits, no gradient.</summary>
    public const string Forward = "forward";

    /// <summary>Full fine-tuning: forward, cross-entropy, backward, grad-norm clipping, AdamW over every weight.</summary>
    public const string FineTune = "finetune";

    /// <summary>An aTLAS step: compose θ0 + Σ Λ·τ, forward, backward to Λ, clipping, AdamW over Λ.</summary>
    public const string Atlas = "atlas";

    /// <summary>A LoRA step on the attention projections and both MLP layers.</summary>
    public const string Lora = "lora";

    /// <summary>Block selection's gradient pass: one backward to Λ at Λ = 0 per batch, no update.</summary>
    public const string Selection = "selection";

    /// <summary>Full fine-tuning steps that also draw each batch through the pipeline's augmentation (crop, flip).</summary>
    public const string AugmentedFineTune = "finetune_augmented";

    /// <summary>Every operation.</summary>
    public static IReadOnlyList<string> All { get; } = [Forward, FineTune, Atlas, Lora, Selection, AugmentedFineTune];
}

/// <summary>What one process measured.</summary>
/// <param name="Request">The operation.</param>
/// <param name="MedianMs">Median step time over the timed steps.</param>
/// <param name="Steps">How many steps were timed.</param>
/// <param name="TrainableParameters">Tensor elements the step updates (0 for a forward).</param>
/// <param name="PeakRssMiB">The process's peak resident memory (VmHWM) after the steps; null off Linux.</param>
public sealed record StepMeasurement(StepRequest Request, double MedianMs, int Steps, long TrainableParameters, double? PeakRssMiB);

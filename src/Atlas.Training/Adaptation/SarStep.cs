namespace Atlas.Training.Adaptation;

/// <summary>What one step of <see cref="SarAdaptation"/> did.</summary>
/// <param name="Step">The step index (0-based), as passed to the logits function.</param>
/// <param name="KeptFirst">Samples whose entropy was below E0 at the current tensors.</param>
/// <param name="KeptSecond">Of those, the samples still below E0 at the SAM-perturbed tensors.</param>
/// <param name="Loss">Mean entropy of the first-pass kept samples; NaN when none was kept.</param>
/// <param name="SecondLoss">Mean entropy of the second-pass kept samples at the perturbed tensors; NaN when none was
/// kept (or the first pass kept none).</param>
/// <param name="Ema">The EMA of <paramref name="SecondLoss"/> after this step's update, before a reset clears it; null
/// while it is unset.</param>
/// <param name="Reset">Whether the tensors and optimizer state were returned to their initial values after this step.</param>
public sealed record SarStep(long Step, int KeptFirst, int KeptSecond, double Loss, double SecondLoss, double? Ema, bool Reset)
{
    /// <summary>Whether the base optimizer stepped (both passes kept at least one sample).</summary>
    public bool Updated => KeptSecond > 0;
}

namespace Atlas.Training.Adaptation;

/// <summary>
/// Hyper-parameters of <see cref="SarAdaptation"/>. The stage fills them from the spec, whose defaults are those of SAR's
/// released code (Niu et al., ICLR 2023) as used by aTLAS's <c>entropy_sar</c> objective (docs/method.md §M5).
/// </summary>
/// <param name="Lr">Learning rate of the base SGD step.</param>
/// <param name="Rho">SAM neighbourhood radius: the first step moves the tensors by ρ·g/‖g‖ (SAR: 0.05).</param>
/// <param name="Margin">Reliable-sample filter: a sample is kept while its entropy is below Margin·ln(C) (SAR: 0.4).</param>
/// <param name="ResetThreshold">The tensors and optimizer state return to their initial values once the EMA of the
/// second-pass loss falls below this value, a sign of collapse onto confident, trivial predictions (SAR: 0.2).</param>
/// <param name="Momentum">Heavy-ball momentum of the base SGD, no dampening, no Nesterov, no weight decay (aTLAS's
/// SAR: 0.9).</param>
/// <param name="EmaDecay">The decay of that EMA: EMA ← decay·EMA + (1 − decay)·loss2 (SAR: 0.9).</param>
public sealed record SarSettings(double Lr, double Rho, double Margin, double ResetThreshold, double Momentum, double EmaDecay)
{
    /// <summary>Throws when a value is out of range; called by every <c>SarAdaptation.Run</c>.</summary>
    public void Validate()
    {
        if (!(double.IsFinite(Lr) && Lr >= 0)) throw new ArgumentOutOfRangeException(nameof(Lr), Lr, "the learning rate must be finite and ≥ 0");
        if (!(double.IsFinite(Rho) && Rho >= 0)) throw new ArgumentOutOfRangeException(nameof(Rho), Rho, "ρ must be finite and ≥ 0");
        if (!(double.IsFinite(Margin) && Margin > 0)) throw new ArgumentOutOfRangeException(nameof(Margin), Margin, "the margin must be finite and > 0");
        if (!double.IsFinite(ResetThreshold)) throw new ArgumentOutOfRangeException(nameof(ResetThreshold), ResetThreshold, "the reset threshold must be finite");
        if (!(Momentum >= 0 && Momentum < 1)) throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "momentum must lie in [0, 1)");
        if (!(EmaDecay >= 0 && EmaDecay < 1)) throw new ArgumentOutOfRangeException(nameof(EmaDecay), EmaDecay, "the EMA decay must lie in [0, 1)");
    }
}

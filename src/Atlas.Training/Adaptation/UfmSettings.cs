namespace Atlas.Training.Adaptation;

/// <summary>
/// Hyper-parameters of UFM (docs/method.md §M5); the stage fills them from the spec, whose defaults are the paper's (App. E)
/// and the ssl branch's.
/// </summary>
/// <param name="TrustedPerPredictedClassEachEpoch">true: the paper's trusted set, the k most confident images per
/// predicted class, re-estimated with the current model at the start of every epoch
/// (<see cref="TrustedSet.PerPredictedClass"/>); false: the released main branch's, the k highest images of every
/// probability column, chosen once from the zero-shot model (<see cref="TrustedSet.PerColumn"/>).</param>
/// <param name="TrustedDivisor">d in k = min(⌊N / C / d⌋, cap) (paper: 10).</param>
/// <param name="TrustedCap">The cap on k (paper: 100).</param>
/// <param name="TrustedShare">The share of every batch drawn from the trusted set, ⌊B·share⌋ images (paper: ¼, 32 of
/// 128).</param>
/// <param name="Temperature">T in the sharpening q^{1/T} / Σ q^{1/T} (ssl branch: 2).</param>
/// <param name="ThresholdStart">The confidence threshold of the first epoch (ssl branch: 0.90).</param>
/// <param name="ThresholdRise">The threshold of epoch e of E is start + rise·e/E (ssl branch: 0.1, so 0.90 → 0.99 over
/// ten epochs).</param>
public sealed record UfmSettings(
    bool TrustedPerPredictedClassEachEpoch,
    int TrustedDivisor,
    int TrustedCap,
    double TrustedShare,
    double Temperature,
    double ThresholdStart,
    double ThresholdRise)
{
    /// <summary>The confidence threshold of epoch <paramref name="epoch"/> (0-based) of <paramref name="epochs"/>:
    /// start + rise·epoch / epochs.</summary>
    public double Threshold(int epoch, int epochs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epochs);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(epoch, epochs);
        return ThresholdStart + ThresholdRise * epoch / epochs;
    }

    /// <summary>⌊B·share⌋: the trusted images of a batch of <paramref name="batchSize"/>.</summary>
    public int TrustedPerBatch(int batchSize)
    {
        int trusted = (int)Math.Floor(batchSize * TrustedShare);
        if (trusted < 1 || trusted >= batchSize)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"a batch of {batchSize} with a trusted share of {TrustedShare} must hold at least one trusted and one unlabelled image");
        return trusted;
    }

    /// <summary>Throws when a value is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(TrustedDivisor);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(TrustedCap);
        if (!(TrustedShare > 0 && TrustedShare < 1)) throw new ArgumentOutOfRangeException(nameof(TrustedShare), TrustedShare, "the trusted share must lie in (0, 1)");
        if (!(double.IsFinite(Temperature) && Temperature > 0)) throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "the temperature must be finite and > 0");
        if (!(ThresholdStart >= 0 && ThresholdStart < 1)) throw new ArgumentOutOfRangeException(nameof(ThresholdStart), ThresholdStart, "the threshold must lie in [0, 1)");
        if (!(ThresholdRise >= 0 && ThresholdStart + ThresholdRise <= 1))
            throw new ArgumentOutOfRangeException(nameof(ThresholdRise), ThresholdRise, "the threshold must stay in [0, 1)");
    }
}

namespace Atlas.Training.Optim;

/// <summary>
/// The paper's fine-tuning schedule: linear warm-up lr·(s+1)/W for s &lt; W, then cosine decay
/// 0.5·(1+cos(π·(s−W)/(S−W)))·lr over the remaining steps; or a constant rate after warm-up.
/// </summary>
public sealed record LearningRateSchedule(double BaseLr, int TotalSteps, int WarmupSteps, bool Cosine)
{
    public double At(long step)
    {
        if (step < WarmupSteps) return BaseLr * (step + 1) / WarmupSteps;
        if (!Cosine) return BaseLr;
        double progress = (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps);
        return 0.5 * (1 + Math.Cos(Math.PI * progress)) * BaseLr;
    }
}

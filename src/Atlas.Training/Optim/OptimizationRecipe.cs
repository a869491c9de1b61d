namespace Atlas.Training.Optim;

/// <summary>How a loop optimises: AdamW settings, step budget, warm-up/cosine schedule and grad-norm clipping.</summary>
public sealed record OptimizationRecipe(
    double Lr, double WeightDecay, int Steps, int WarmupSteps, bool Cosine, double GradClip)
{
    public LearningRateSchedule Schedule => new(Lr, Steps, WarmupSteps, Cosine);
}

namespace Atlas.Training.Optim;

/// <summary>How a loop optimises: AdamW settings, step budget, warm-up/cosine schedule, grad-norm clipping, and how
/// many micro-batches each step's gradients are accumulated over (<see cref="Optim.GradientAccumulation"/>).</summary>
public sealed record OptimizationRecipe(
    double Lr, double WeightDecay, int Steps, int WarmupSteps, bool Cosine, double GradClip,
    int GradientAccumulation = Optim.GradientAccumulation.None)
{
    public LearningRateSchedule Schedule => new(Lr, Steps, WarmupSteps, Cosine);
}

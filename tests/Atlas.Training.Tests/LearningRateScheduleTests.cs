using Atlas.Training.Optim;

namespace Atlas.Training.Tests;

public class LearningRateScheduleTests
{
    private const double Lr = 0.1;

    [Fact]
    public void Warm_up_rises_linearly_to_the_base_rate()
    {
        var schedule = new LearningRateSchedule(Lr, TotalSteps: 110, WarmupSteps: 10, Cosine: true);
        for (int s = 0; s < 10; s++) Assert.Equal(Lr * (s + 1) / 10, schedule.At(s), 15);
        Assert.Equal(0.01, schedule.At(0), 15);
        Assert.Equal(Lr, schedule.At(9), 15);
    }

    [Fact]
    public void Cosine_decay_starts_at_the_base_rate_halves_at_the_midpoint_and_ends_near_zero()
    {
        var schedule = new LearningRateSchedule(Lr, TotalSteps: 110, WarmupSteps: 10, Cosine: true);
        Assert.Equal(Lr, schedule.At(10), 15);
        Assert.Equal(Lr / 2, schedule.At(60), 15); // (60 − 10) / (110 − 10) = 1/2: cos(π/2) = 0
        Assert.Equal(0.5 * (1 + Math.Cos(Math.PI * 0.25)) * Lr, schedule.At(35), 15);
        double last = schedule.At(109);
        Assert.Equal(0.5 * (1 + Math.Cos(Math.PI * 0.99)) * Lr, last, 15);
        Assert.InRange(last, 0, 1e-3 * Lr);
        for (int s = 10; s < 109; s++) Assert.True(schedule.At(s + 1) < schedule.At(s), $"not decreasing at {s}");
    }

    [Fact]
    public void Without_warm_up_the_first_step_uses_the_base_rate()
    {
        var schedule = new LearningRateSchedule(Lr, TotalSteps: 4, WarmupSteps: 0, Cosine: true);
        Assert.Equal(Lr, schedule.At(0), 15);
        Assert.Equal(Lr / 2, schedule.At(2), 15);
    }

    [Fact]
    public void Constant_schedule_keeps_the_base_rate_after_warm_up()
    {
        var schedule = new LearningRateSchedule(Lr, TotalSteps: 50, WarmupSteps: 5, Cosine: false);
        Assert.Equal(Lr * 3 / 5, schedule.At(2), 15);
        for (int s = 5; s < 50; s++) Assert.Equal(Lr, schedule.At(s));
        Assert.Equal(Lr, new LearningRateSchedule(Lr, 50, 0, false).At(0));
    }

    [Fact]
    public void Recipe_builds_its_schedule()
    {
        var recipe = new OptimizationRecipe(Lr: 0.2, WeightDecay: 0.1, Steps: 20, WarmupSteps: 4, Cosine: true, GradClip: 1);
        Assert.Equal(new LearningRateSchedule(0.2, 20, 4, true), recipe.Schedule);
    }
}

namespace Atlas.Pipeline.Specs;

/// <summary>Turns a spec into what the stages consume: every default and inheritance made explicit.</summary>
public static class SpecResolver
{
    /// <summary>Resolves every task; the spec is assumed valid (as <see cref="SpecLoader"/> returns it).</summary>
    public static ResolvedSpec Resolve(ExperimentSpec spec)
    {
        var tasks = spec.Tasks.Select(task => new ResolvedTask(
                task.Name,
                task.Source,
                task.Transform,
                task.LabelMap ?? Enumerable.Range(0, task.Classes.Count).ToList(),
                task.Classes,
                task.Templates,
                spec.Templates[task.Templates],
                Merge(spec.Finetune, task.Finetune)))
            .ToList();
        var explicitSpec = spec with
        {
            Tasks = spec.Tasks.Zip(tasks, (task, resolved) => task with
            {
                LabelMap = [.. resolved.LabelMap],
                Finetune = ToOverrides(resolved.Finetune),
            }).ToList(),
        };
        return new ResolvedSpec(explicitSpec, tasks);
    }

    /// <summary>The default recipe with every field the task sets replaced.</summary>
    public static TrainSpec Merge(TrainSpec defaults, TrainOverrides? overrides) =>
        overrides is null
            ? defaults
            : new TrainSpec
            {
                Lr = overrides.Lr ?? defaults.Lr,
                WeightDecay = overrides.WeightDecay ?? defaults.WeightDecay,
                Batch = overrides.Batch ?? defaults.Batch,
                Steps = overrides.Steps ?? defaults.Steps,
                WarmupSteps = overrides.WarmupSteps ?? defaults.WarmupSteps,
                Schedule = overrides.Schedule ?? defaults.Schedule,
                GradClip = overrides.GradClip ?? defaults.GradClip,
                CropScale = overrides.CropScale ?? defaults.CropScale,
            };

    private static TrainOverrides ToOverrides(TrainSpec recipe) => new()
    {
        Lr = recipe.Lr,
        WeightDecay = recipe.WeightDecay,
        Batch = recipe.Batch,
        Steps = recipe.Steps,
        WarmupSteps = recipe.WarmupSteps,
        Schedule = recipe.Schedule,
        GradClip = recipe.GradClip,
        CropScale = [.. recipe.CropScale],
    };
}

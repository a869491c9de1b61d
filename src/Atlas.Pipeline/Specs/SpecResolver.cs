using System.Reflection;

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
    public static TrainSpec Merge(TrainSpec defaults, TrainOverrides? overrides)
    {
        if (overrides is null) return defaults;
        var merged = defaults with { };
        foreach (var (recipe, replacement) in OverridableFields)
            if (replacement.GetValue(overrides) is { } value) recipe.SetValue(merged, value);
        return merged;
    }

    /// <summary>Every field of the recipe written out, so the resolved spec shows what each task ran with.</summary>
    private static TrainOverrides ToOverrides(TrainSpec recipe)
    {
        var overrides = new TrainOverrides();
        foreach (var (field, replacement) in OverridableFields) replacement.SetValue(overrides, field.GetValue(recipe));
        return overrides;
    }

    /// <summary>
    /// <see cref="TrainOverrides"/> mirrors <see cref="TrainSpec"/> field for field (a test checks names, types and
    /// rules), so merging pairs them by name instead of listing the fields a third and fourth time here.
    /// </summary>
    private static readonly (PropertyInfo Recipe, PropertyInfo Override)[] OverridableFields =
    [
        .. typeof(TrainOverrides).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(o =>
            (typeof(TrainSpec).GetProperty(o.Name) ?? throw new InvalidOperationException($"{nameof(TrainOverrides)}.{o.Name} has no {nameof(TrainSpec)} field to override"), o)),
    ];
}

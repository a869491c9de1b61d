namespace Atlas.Pipeline.Specs;

/// <summary>A spec with every default and inheritance explicit.</summary>
/// <param name="Spec">
/// The spec in explicit form: each task carries its full label map and its full fine-tuning recipe as overrides. It
/// loads back to the same resolution; <see cref="SpecWriter"/> writes it.
/// </param>
/// <param name="Tasks">The resolved tasks, in spec order.</param>
public sealed record ResolvedSpec(ExperimentSpec Spec, IReadOnlyList<ResolvedTask> Tasks)
{
    /// <summary>The task called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such task.</exception>
    public ResolvedTask Task(string name) =>
        Tasks.FirstOrDefault(t => t.Name == name)
        ?? throw new KeyNotFoundException($"spec '{Spec.Name}' has no task '{name}' (tasks: {string.Join(", ", Tasks.Select(t => t.Name))})");
}

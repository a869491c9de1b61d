namespace Atlas.Pipeline.Specs;

/// <summary>
/// One task with nothing left implicit: the parameters of its stages (serialise it to JSON for a lock record).
/// </summary>
/// <param name="Name">Task name (stage ids and folders).</param>
/// <param name="Source">Source dataset.</param>
/// <param name="Transform">Image transform.</param>
/// <param name="LabelMap">Task class index of each source label (identity when the spec gives none).</param>
/// <param name="Classes">Class names in task-label order.</param>
/// <param name="TemplateSet">Name of the template set.</param>
/// <param name="Templates">The templates themselves.</param>
/// <param name="Finetune">The spec's default recipe with this task's overrides applied.</param>
public sealed record ResolvedTask(
    string Name,
    string Source,
    string Transform,
    IReadOnlyList<int> LabelMap,
    IReadOnlyList<string> Classes,
    string TemplateSet,
    IReadOnlyList<string> Templates,
    TrainSpec Finetune);

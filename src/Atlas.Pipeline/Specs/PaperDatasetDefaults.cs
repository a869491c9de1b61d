namespace Atlas.Pipeline.Specs;

/// <summary>
/// What a task on one of the paper's datasets may leave out and gets from the dataset (<see cref="SpecContext.PaperDatasets"/>):
/// its <c>classes</c> (the dataset's class names) and its <c>templates</c> (a set named after the dataset, holding the
/// paper's templates unless the spec defines a set of that name). The validator checks against these defaults and the
/// loader writes them into the spec, so the stages read <see cref="TaskSpec.Classes"/> and
/// <see cref="ExperimentSpec.Templates"/> as for any task.
/// </summary>
internal static class PaperDatasetDefaults
{
    /// <summary>The dataset <paramref name="task"/> reads when its source is a known paper dataset listed under
    /// <c>data.datasets</c> (and not a mini source); null otherwise.</summary>
    public static PaperDatasetText? DatasetOf(TaskSpec task, ExperimentSpec spec, SpecContext context) =>
        spec.Data.Sources.ContainsKey(task.Source) ? null : Listed(task.Source, spec, context);

    /// <summary>The task's template set name: as written, else (on a paper dataset) the dataset's name.</summary>
    public static string TemplatesOf(TaskSpec task, ExperimentSpec spec, SpecContext context) =>
        task.Templates.Length == 0 && DatasetOf(task, spec, context) is not null ? task.Source : task.Templates;

    /// <summary>The template set called <paramref name="name"/>: the spec's own, else the paper's templates of a listed
    /// paper dataset of that name; null when neither exists.</summary>
    public static IReadOnlyList<string>? TemplateSet(string name, ExperimentSpec spec, SpecContext context) =>
        spec.Templates.TryGetValue(name, out var own) ? own : Listed(name, spec, context)?.Templates;

    /// <summary>Every template set name a spec may reference: its own, then those its paper datasets bring.</summary>
    public static IEnumerable<string> TemplateSetNames(ExperimentSpec spec, SpecContext context) =>
        spec.Templates.Keys.Concat(spec.Data.Datasets.Where(d => !spec.Templates.ContainsKey(d) && Listed(d, spec, context) is not null).Distinct());

    /// <summary>
    /// <paramref name="spec"/> (valid) with the defaults written in: each paper task's omitted classes and template set
    /// name, and each template set a task or the pretrain section references that the spec does not define.
    /// </summary>
    public static ExperimentSpec Fill(ExperimentSpec spec, SpecContext context)
    {
        if (spec.Data.Datasets.Count == 0) return spec;
        var tasks = spec.Tasks.Select(task => DatasetOf(task, spec, context) is { } dataset
                ? task with
                {
                    Classes = task.Classes.Count > 0 ? task.Classes : [.. dataset.ClassNames],
                    Templates = TemplatesOf(task, spec, context),
                }
                : task)
            .ToList();
        var templates = new Dictionary<string, List<string>>(spec.Templates);
        foreach (var name in tasks.Select(t => t.Templates).Append(spec.Pretrain?.Templates).OfType<string>())
            if (!templates.ContainsKey(name) && TemplateSet(name, spec, context) is { } set) templates[name] = [.. set];
        return spec with { Tasks = tasks, Templates = templates };
    }

    private static PaperDatasetText? Listed(string name, ExperimentSpec spec, SpecContext context) =>
        spec.Data.Datasets.Contains(name) && context.PaperDatasets.TryGetValue(name, out var dataset) ? dataset : null;
}

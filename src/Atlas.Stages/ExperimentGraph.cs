namespace Atlas.Stages;

/// <summary>
/// The stages a spec asks for, in dependency order: every family's stages in registry order
/// (<see cref="ExperimentFamilies.All"/>: the foundation's data, pretraining and per-task stages first), then the report.
/// </summary>
public static class ExperimentGraph
{
    public static IReadOnlyList<Stage> Build(ExperimentContext context)
    {
        var stages = ExperimentFamilies.All.SelectMany(f => f.Stages(context.Spec)).ToList();
        stages.Add(new ReportStage(stages.ToList()));
        return stages;
    }
}

namespace Atlas.Stages;

/// <summary>The stages a spec asks for, in dependency order: data, pretrain, then per task head → fine-tune → task vector → evaluation, then the report.</summary>
public static class ExperimentGraph
{
    public static IReadOnlyList<Stage> Build(ExperimentContext context)
    {
        var tasks = context.Spec.Tasks.Select(t => t.Name).ToList();
        var stages = new List<Stage> { new DataStage(), new PretrainStage() };
        stages.AddRange(tasks.Select(t => new HeadStage(t)));
        stages.AddRange(tasks.Select(t => new FineTuneStage(t)));
        stages.AddRange(tasks.Select(t => new TaskVectorStage(t)));
        stages.AddRange(tasks.Select(t => new EvaluateStage(t)));
        stages.Add(new ReportStage(stages.ToList()));
        return stages;
    }
}

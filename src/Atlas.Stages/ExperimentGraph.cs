using Atlas.Stages.Adaptation;
using Atlas.Stages.Composition;
using Atlas.Stages.Peft;

namespace Atlas.Stages;

/// <summary>
/// The stages a spec asks for, in dependency order: data, pretrain, then per task head → fine-tune → task vector →
/// evaluation, then one stage per task-addition method and per negation target, per few-shot, test-time, block-selection
/// and PEFT target, then the report.
/// </summary>
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
        if (context.Spec.Addition is { } addition)
            stages.AddRange(addition.Methods.Select(m => new AdditionStage(m, addition.Tasks ?? tasks)));
        if (context.Spec.Negation is { } negation)
            stages.AddRange(negation.Targets.Select(t => new NegationStage(t)));
        if (context.Spec.FewShot is { } fewShot)
            stages.AddRange(fewShot.Targets.Select(t => new FewShotStage(t, [.. tasks.Where(other => other != t)])));
        if (context.Spec.TestTime is { } testTime)
            stages.AddRange(testTime.Targets.Select(t => new TestTimeStage(t, [.. tasks.Where(other => other != t)])));
        if (context.Spec.BlockSelection is { } blockSelection)
            stages.AddRange(blockSelection.Targets.Select(t => new BlockSelectionStage(t, [.. tasks.Where(other => other != t)])));
        if (context.Spec.Peft is { } peft)
            stages.AddRange(peft.Targets.Select(t => new PeftStage(t, [.. tasks.Where(other => other != t)])));
        stages.Add(new ReportStage(stages.ToList()));
        return stages;
    }
}

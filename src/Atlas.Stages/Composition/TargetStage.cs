using Atlas.Pipeline.Specs;

namespace Atlas.Stages.Composition;

/// <summary>
/// A stage about one target task that composes the other tasks' vectors (few-shot, test-time adaptation, block
/// selection, PEFT): it depends on the pool's task vectors and on the target's head and evaluation, reads the committed
/// data, and records as parameters the target, the pool, what decides the target's images, its spec section and the
/// evaluation batch.
/// </summary>
public abstract class TargetStage(string target, IReadOnlyList<string> pool) : Stage
{
    /// <summary>The task learned.</summary>
    protected string Target { get; } = target;

    /// <summary>The tasks whose vectors are composed (every task but the target).</summary>
    protected IReadOnlyList<string> Pool { get; } = pool;

    /// <summary>Which task vectors the pool holds (full fine-tunes' unless a stage says otherwise).</summary>
    protected virtual PeftVectorPool Vectors => PeftVectorPool.Full;

    public override IReadOnlyList<string> DependsOn => CompositionInputs.Stages(Pool, [Target], Vectors);

    public override object Parameters(ExperimentContext context) => new
    {
        Target,
        Pool,
        Data = CompositionInputs.DataParameters(context, [Target]),
        Settings = Settings(context),
        context.Spec.Evaluate.Batch,
    };

    /// <summary>The one output of a target stage, in its folder: every run and score for the target.</summary>
    protected const string ResultFileName = "result.json";

    public override IReadOnlyList<string> Outputs(ExperimentContext context) => [context.Layout.StageFile(Id, ResultFileName)];

    public override IReadOnlyList<string> Inputs(ExperimentContext context) => [.. CompositionInputs.Files(context, Pool, [Target], Vectors), .. DataFiles(context)];

    /// <summary>The stage's spec section without its target list: one target's result does not depend on the others.</summary>
    protected abstract object Settings(ExperimentContext context);
}

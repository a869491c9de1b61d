using Atlas.Training;

namespace Atlas.Stages;

/// <summary>A task's frozen zero-shot head from the pretrained text tower (templates × class names).</summary>
public sealed class HeadStage(string task) : Stage
{
    public override string Id => StageIds.Head(task);
    public override bool RunsOnDevice => true;
    public override string Phase => "Heads";
    public override string Description => $"zero-shot head of {task}";
    public override IReadOnlyList<string> DependsOn => [StageIds.Pretrain];

    public override object Parameters(ExperimentContext context)
    {
        var spec = context.Task(task);
        return new { spec.Classes, Templates = context.Spec.Templates[spec.Templates] };
    }

    public override IReadOnlyList<string> Inputs(ExperimentContext context) => [context.Layout.PretrainedWeights, .. context.TokenizerFiles];

    public override IReadOnlyList<string> Outputs(ExperimentContext context) => [context.Layout.Head(task)];

    public override void Execute(ExperimentContext context, StageRun run)
    {
        var spec = context.Task(task);
        var pretrained = context.LoadTensors(context.Layout.PretrainedWeights);
        var head = ZeroShotHeads.Build(pretrained, context.Tokenizer, context.Config, spec.Classes, context.Spec.Templates[spec.Templates]);
        context.SaveTensors(context.Layout.Head(task), new Dictionary<string, TorchSharp.torch.Tensor> { ["weight"] = head },
            new Dictionary<string, string> { ["task"] = task, ["classes"] = string.Join("|", spec.Classes) });
    }

    /// <summary>Reads a head weight [C, E] written by this stage.</summary>
    public static TorchSharp.torch.Tensor Read(ExperimentContext context, string task) =>
        context.LoadTensors(context.Layout.Head(task))["weight"];
}

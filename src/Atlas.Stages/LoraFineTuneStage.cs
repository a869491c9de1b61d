using System.Text.Json;
using Atlas.Data;
using Atlas.Pipeline.Specs;
using Atlas.Store;
using Atlas.Training;
using Atlas.Training.Optim;
using Atlas.Training.Towers;

namespace Atlas.Stages;

/// <summary>
/// LoRA fine-tuning of a task (docs/method.md §M6, paper App. D.7 / F, ssl-branch <c>finetune.py --lora</c>): θ0 stays
/// frozen, rank-r pairs on the attention in/out projections and both MLP matrices of every residual block are trained
/// through the task's frozen head with the experiment's fine-tuning recipe (steps, batch, warm-up, schedule, weight
/// decay, clip, crop, per-task overrides) at the LoRA rate. Writes the trained pairs; <see cref="LoraTaskVectorStage"/>
/// turns them into a task vector. Resumable like <see cref="FineTuneStage"/>.
/// </summary>
/// <param name="task">The task fine-tuned.</param>
/// <param name="lora">Rank, α and rate.</param>
public sealed class LoraFineTuneStage(string task, LoraVectorSpec lora) : Stage
{
    public override string Id => StageIds.LoraFineTune(task);
    public override bool RunsOnDevice => true;
    public override string Phase => "LoraFineTune";
    public override string Description => $"LoRA fine-tune (r {lora.Rank}) of the image tower on {task} (head frozen)";
    public override IReadOnlyList<string> DependsOn => [StageIds.Data, StageIds.Pretrain, StageIds.Head(task)];

    public override object Parameters(ExperimentContext context)
    {
        var spec = context.Task(task);
        return new { Recipe = Recipe(context), lora.Rank, lora.Alpha, spec.Source, spec.Transform, spec.LabelMap };
    }

    public override IReadOnlyList<string> Inputs(ExperimentContext context) =>
        [context.Layout.PretrainedWeights, context.Layout.Head(task), context.Layout.Splits, .. DataFiles(context), .. context.PaperDataFiles([task])];

    public override IReadOnlyList<string> Outputs(ExperimentContext context) =>
        [context.Layout.LoraFineTuned(task), context.Layout.LoraFineTuneHistory(task)];

    public override void Execute(ExperimentContext context, StageRun run)
    {
        var recipe = Recipe(context);
        using var train = context.TaskData(context.Task(task), SourceSplit.Train);
        var batches = FineTuneStage.Batches(recipe, train, run.Seed);
        var optimization = FineTuneStage.Optimization(recipe);
        var checkpoint = Checkpoint(context, run, recipe.Steps);
        var tower = new LoraTower(context.PretrainedVisual(), lora.Rank, lora.Alpha, StageIds.Seed(run.Seed, "lora"));

        var (pairs, history) = FineTuning.Run(tower, HeadStage.Read(context, task), batches, context.Config, optimization,
            new TrainingProgress(Id, recipe.Steps, context.Log), checkpoint);

        context.SaveTensors(context.Layout.LoraFineTuned(task), pairs, new Dictionary<string, string>
        {
            ["task"] = task,
            ["rank"] = lora.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["alpha"] = lora.Alpha.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        });
        AtomicFile.WriteAllText(context.Absolute(context.Layout.LoraFineTuneHistory(task)), JsonSerializer.Serialize(history));
        checkpoint.Delete();
    }

    /// <summary>The experiment's fine-tuning recipe for the task, at the LoRA rate.</summary>
    private TrainSpec Recipe(ExperimentContext context) =>
        SpecResolver.Merge(context.Spec.Finetune, context.Task(task).Finetune) with { Lr = lora.Lr };
}

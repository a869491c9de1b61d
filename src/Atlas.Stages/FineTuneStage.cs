using System.Text.Json;
using Atlas.Data;
using Atlas.Pipeline.Specs;
using Atlas.Store;
using Atlas.Training;
using Atlas.Training.Optim;

namespace Atlas.Stages;

/// <summary>
/// Fine-tunes the whole image tower on a task's train partition through its frozen head. The loop saves a resumable
/// snapshot at intervals; a killed run continues from it and ends bit-identical to an uninterrupted one.
/// </summary>
public sealed class FineTuneStage(string task) : Stage
{
    public override string Id => StageIds.FineTune(task);
    public override bool RunsOnDevice => true;
    public override string Phase => "FineTune";
    public override string Description => $"fine-tune the image tower on {task} (head frozen)";
    public override IReadOnlyList<string> DependsOn => [StageIds.Data, StageIds.Pretrain, StageIds.Head(task)];

    public override object Parameters(ExperimentContext context)
    {
        var spec = context.Task(task);
        return new { Recipe = Recipe(context), spec.Source, spec.Transform, spec.LabelMap };
    }

    public override IReadOnlyList<string> Inputs(ExperimentContext context) =>
        [context.Layout.PretrainedWeights, context.Layout.Head(task), context.Layout.Splits, .. DataFiles(context), .. context.PaperDataFiles([task])];

    public override IReadOnlyList<string> Outputs(ExperimentContext context) =>
        [context.Layout.FineTuned(task), context.Layout.FineTuneHistory(task)];

    public override void Execute(ExperimentContext context, StageRun run)
    {
        var recipe = Recipe(context);
        using var train = context.TaskData(context.Task(task), SourceSplit.Train);
        var batches = Batches(recipe, train, run.Seed);
        var checkpoint = Checkpoint(context, run, recipe.Steps);

        var (weights, history) = FineTuning.Run(context.PretrainedVisual(), HeadStage.Read(context, task), batches, context.Config,
            Optimization(recipe), new TrainingProgress(Id, recipe.Steps, context.Log), checkpoint);

        context.SaveTensors(context.Layout.FineTuned(task), weights, new Dictionary<string, string> { ["task"] = task });
        AtomicFile.WriteAllText(context.Absolute(context.Layout.FineTuneHistory(task)), JsonSerializer.Serialize(history));
        checkpoint.Delete();
    }

    private TrainSpec Recipe(ExperimentContext context) => SpecResolver.Merge(context.Spec.Finetune, context.Task(task).Finetune);

    /// <summary>The training batches of a fine-tuning recipe (shared with <see cref="LoraFineTuneStage"/>, which
    /// fine-tunes LoRA pairs with the same recipe).</summary>
    internal static ImageBatches Batches(TrainSpec recipe, ILabelledImageSet train, long seed) =>
        new(train, recipe.Batch, new BatchAugmentation(recipe.CropScale[0], recipe.CropScale[1]), seed);

    /// <summary>The optimiser settings of a fine-tuning recipe.</summary>
    internal static OptimizationRecipe Optimization(TrainSpec recipe) =>
        new(recipe.Lr, recipe.WeightDecay, recipe.Steps, recipe.WarmupSteps, Cosine: recipe.Schedule == ScheduleKind.Cosine, recipe.GradClip,
            recipe.GradientAccumulation);
}

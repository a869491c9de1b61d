using System.Text.Json;
using Atlas.Data;
using Atlas.Models;
using Atlas.Store;
using Atlas.Training;
using Atlas.Training.Optim;
using static TorchSharp.torch;

namespace Atlas.Stages;

/// <summary>
/// Plays "pretrained CLIP" for the mini profile: both towers are trained contrastively on the pretrain partitions of
/// the chosen sources, each image captioned with its source class name. The result is θ0 and the text tower.
/// </summary>
public sealed class PretrainStage : Stage
{
    /// <summary>open_clip's training augmentation: random resized crop of 90–100% of the area.</summary>
    private static readonly (double Min, double Max) OpenClipTrainCrop = (0.9, 1.0);

    public override string Id => StageIds.Pretrain;
    public override bool RunsOnDevice => true;
    public override string Phase => "Pretrain";
    public override string Description => "contrastive image–caption pretraining of the mini CLIP (θ0 and the text tower)";
    public override IReadOnlyList<string> DependsOn => [StageIds.Data];

    public override object Parameters(ExperimentContext context)
    {
        var pretrain = Require(context);
        return new { pretrain, Captions = context.Spec.Templates[pretrain.Templates] };
    }

    public override IReadOnlyList<string> Inputs(ExperimentContext context) => [context.Layout.Splits, .. DataFiles(context), .. context.TokenizerFiles];

    public override IReadOnlyList<string> Outputs(ExperimentContext context) =>
        [context.Layout.PretrainedWeights, context.Layout.PretrainHistory];

    public override void Execute(ExperimentContext context, StageRun run)
    {
        var pretrain = Require(context);
        using var scope = NewDisposeScope();

        // One pool over all pretraining sources; caption classes are the sources' class names, offset per source.
        var images = new List<Tensor>();
        var labels = new List<long>();
        var captionClasses = new List<string>();
        foreach (var name in pretrain.Sources)
        {
            var source = context.Source(name);
            var indices = context.Split(name).Indices(SourceSplit.Pretrain);
            images.Add(source.Images.index_select(0, tensor(indices.Select(i => (long)i).ToArray())));
            labels.AddRange(indices.Select(i => source.Labels[i] + captionClasses.Count));
            captionClasses.AddRange(source.ClassNames);
        }
        var templates = context.Spec.Templates[pretrain.Templates];
        var captions = captionClasses.SelectMany(c => templates.Select(t => t.Replace("{c}", c))).ToList();
        var captionTokens = context.Tokenizer.Encode(captions, context.Config.Text.ContextLength)
            .view(captionClasses.Count, templates.Count, -1);

        var batches = new ImageBatches(cat(images, 0), tensor(labels.ToArray()), pretrain.Batch,
            OpenClipTrainCrop, run.Seed);
        var recipe = new OptimizationRecipe(pretrain.Lr, pretrain.WeightDecay, pretrain.Steps, pretrain.WarmupSteps, Cosine: true, pretrain.GradClip);
        // Initialised on the CPU generator (the same weights on every device), then moved.
        var initial = context.OnDevice(ClipInitializer.Initialize(context.Config, run.Seed));
        context.Log.WriteLine($"[pretrain] {labels.Count} images, {captionClasses.Count} caption classes × {templates.Count} templates");
        var checkpoint = Checkpoint(context, run, pretrain.Steps);
        var (weights, history) = ContrastivePretraining.Run(initial, batches, captionTokens, context.Config, recipe, run.Seed,
            new TrainingProgress(Id, pretrain.Steps, context.Log), checkpoint);

        context.SaveTensors(context.Layout.PretrainedWeights, weights,
            new Dictionary<string, string> { ["backbone"] = context.Config.Name, ["stage"] = Id });
        AtomicFile.WriteAllText(context.Absolute(context.Layout.PretrainHistory), JsonSerializer.Serialize(history));
        checkpoint.Delete();
    }

    private static Pipeline.Specs.PretrainSpec Require(ExperimentContext context) =>
        context.Spec.Pretrain ?? throw new InvalidOperationException(
            $"{context.SpecPath}: no pretrain section (the spec loader requires it or pretrained_checkpoint)");
}

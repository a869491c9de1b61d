using System.Globalization;
using Atlas.Data;
using Atlas.Method.Composition;
using Atlas.Pipeline.Specs;
using Atlas.Stages.Composition;
using Atlas.Training;
using Atlas.Training.Composition;
using Atlas.Training.Optim;
using Atlas.Training.Towers;
using static TorchSharp.torch;

namespace Atlas.Stages.Peft;

/// <summary>
/// The parameter-efficient fine-tuning comparison on one target (docs/method.md §M6). For every data fraction f — the first
/// ⌊N·f⌋ images of one seeded permutation of the train partition, so the subsets are nested — each method minimises the
/// same cross-entropy through the frozen head on the same augmented batches (crop and flip):
/// <list type="bullet">
/// <item><c>atlas</c>: aTLAS × K, Λ [T, P, K] over the other tasks' vectors with every block split at random into K
/// parts: by default the tasks' LoRA task vectors, whose P blocks are the LoRA-adapted matrices (paper App. F), or their
/// full task vectors over every block;</item>
/// <item><c>lora</c>: rank-r pairs on the residual blocks' four matrices, merged inside the forward;</item>
/// <item><c>full</c>: every image-tower weight.</item>
/// </list>
/// Each run records its test accuracy, learnable parameters, median step time and the peak resident memory it added.
/// Model selection on validation (where the spec asks for it) scores in training-size batches, so the peak is that of
/// training. Finished runs survive an interruption (<see cref="RunLedger{T}"/>).
/// </summary>
/// <param name="target">The task learned.</param>
/// <param name="pool">The tasks whose vectors aTLAS × K composes.</param>
/// <param name="vectors">Which of their task vectors (the spec's <c>peft.atlas.pool</c>).</param>
public sealed class PeftStage(string target, IReadOnlyList<string> pool, PeftVectorPool vectors) : TargetStage(target, pool)
{
    /// <summary>The stage id (and folder) of one target: <c>peft/TARGET</c>.</summary>
    public static string IdOf(string target) => $"peft/{target}";

    /// <summary>The PEFT comparison of a target: per data fraction and method, accuracy, parameters, step time, memory.</summary>
    public static string ResultPath(ArtifactLayout layout, string target) => layout.StageFile(IdOf(target), ResultFileName);

    public override string Id => IdOf(Target);
    public override bool RunsOnDevice => true;
    public override bool MeasuresProcessMemory => true;
    public override string Phase => "Peft";
    public override string Description => $"PEFT on {Target}: aTLAS x K ({SpecNames.Of(vectors)} task vectors), LoRA and full fine-tuning over data fractions";

    protected override PeftVectorPool Vectors => vectors;

    protected override object Settings(ExperimentContext context) => Spec(context) with { Targets = [] };

    public override void Execute(ExperimentContext context, StageRun run)
    {
        var spec = Spec(context);
        using var inputs = CompositionInputs.Load(context, Pool, [Target], Vectors);
        using var train = context.TaskData(context.Task(Target), SourceSplit.Train);
        ulong subsetSeed = unchecked((ulong)StageIds.Seed(run.Seed, "subset"));
        var ledger = new RunLedger<PeftRun>(context.Absolute(context.Layout.RunLedger(Id)), run.Key, context.Log);
        var runs = new List<PeftRun>();
        foreach (double fraction in spec.Fractions)
        {
            var positions = DataFraction.Select(train.Count, fraction, subsetSeed);
            foreach (var variant in PeftVariants.Of(spec))
                runs.Add(ledger.GetOrRun($"{PeftTables.Percent(fraction)}%/{variant.Name}", () =>
                {
                    var result = RunOne(context, spec, inputs, train, positions, fraction, variant, run);
                    context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"[{Id}] {PeftTables.Percent(fraction)}% ({result.Images} images), {variant.Name}: test {result.TestAccuracy:F2}%, " +
                        $"{result.TrainableParameters} parameters, {result.MedianStepMs:F1} ms/step, peak +{result.PeakAboveStartMiB:F1} MiB"));
                    return result;
                }));
        }
        context.WriteJson(ResultPath(context.Layout, Target),
            new PeftResult(Target, Pool, Vectors, inputs.Pool.BlockCount, subsetSeed, inputs.Tasks[0].Accuracy.ZeroShotTest, runs));
        ledger.Delete();
    }

    public static PeftResult Read(ExperimentContext context, string target) => context.ReadJson<PeftResult>(ResultPath(context.Layout, target));

    private static PeftSpec Spec(ExperimentContext context) =>
        context.Spec.Peft ?? throw new InvalidOperationException($"{context.SpecPath}: no peft section");

    private PeftRun RunOne(ExperimentContext context, PeftSpec spec, CompositionInputs inputs, ILabelledImageSet train, int[] positions,
        double fraction, PeftVariant variant, StageRun run)
    {
        using var scope = NewDisposeScope();
        var task = inputs.Tasks[0];
        int batch = Math.Min(spec.Batch, positions.Length);
        int stepsPerEpoch = (positions.Length + batch - 1) / batch;
        int steps = stepsPerEpoch * spec.Epochs;
        // Every method of a fraction sees the same batches.
        using var subset = train.Subset([.. positions.Select(p => (long)p)]);
        var batches = new ImageBatches(subset, batch,
            new BatchAugmentation(spec.CropScale[0], spec.CropScale[1], StrongAugmentation.PaperFlipProbability),
            StageIds.Seed(run.Seed, $"batches/{PeftTables.Percent(fraction)}"));

        var memory = ResidentMemory.Start();
        var (training, tower, layout) = Tower(spec, variant, inputs, run);
        using var ownedLayout = layout;
        var recipe = new OptimizationRecipe(training.Lr, training.WeightDecay, steps, (int)(training.WarmupFraction * steps), Cosine: true, training.GradClip);
        var progress = new TrainingProgress($"{Id} {variant.Name} {PeftTables.Percent(fraction)}%", steps, context.Log);
        using var selection = training.Selection == ModelSelection.Validation
            ? task.ValidationSelection(stepsPerEpoch, tower, tower.Initial(), context, batch)
            : null;
        var (last, _) = FineTuning.Run(tower, task.Head, batches, context.Config, recipe, progress, selection: selection);
        double? peakAbove = memory.PeakAboveStartMiB, peak = memory.PeakMiB;

        double accuracy;
        using (no_grad()) accuracy = task.AccuracyOf(tower.Weights(selection?.BestWeights ?? last), task.Test, context);
        return new PeftRun(variant.Name, fraction, positions.Length, steps, selection?.BestEpoch ?? spec.Epochs, tower.TrainableCount, accuracy,
            progress.MedianStepSeconds * 1000, peakAbove, peak);
    }

    /// <summary>The method's recipe and tower; aTLAS × K also returns its partition layout, which the caller disposes.</summary>
    private static (PeftTraining Training, ITowerParameterization Tower, CoefficientLayout? Layout) Tower(
        PeftSpec spec, PeftVariant variant, CompositionInputs inputs, StageRun run)
    {
        switch (variant.Method)
        {
            case PeftMethod.Atlas:
                var atlas = spec.Atlas;
                // The partitions are drawn on the CPU and live with the pool's stacks; on the CPU they are left as drawn.
                var poolDevice = inputs.Pool.Stack(0).device;
                var layout = CoefficientLayout.Partitioned(inputs.Pool.BlockNames, inputs.Pool.BlockShapes, variant.Partitions!.Value,
                    StageIds.Seed(run.Seed, "partitions"),
                    atlas.PartitionScope switch
                    {
                        PartitionScopeOption.PerTensor => PartitionScope.PerTensor,
                        PartitionScopeOption.PerShape => PartitionScope.PerShape,
                        _ => throw new InvalidOperationException($"unknown partition scope {atlas.PartitionScope}"),
                    },
                    atlas.PartitionBlocks switch
                    {
                        PartitionBlocksOption.All => PartitionBlocks.All,
                        PartitionBlocksOption.Matrices => PartitionBlocks.MatricesOnly,
                        _ => throw new InvalidOperationException($"unknown partition blocks {atlas.PartitionBlocks}"),
                    },
                    poolDevice.type == TorchSharp.DeviceType.CPU ? null : poolDevice);
                return (atlas, new ComposedModel(inputs.Pretrained, inputs.Pool, layout), layout);
            case PeftMethod.Lora:
                var lora = spec.Lora;
                return (lora, new LoraTower(inputs.Pretrained, lora.Rank, lora.Alpha, StageIds.Seed(run.Seed, "lora")), null);
            case PeftMethod.Full:
                return (spec.Full, new FullTower(inputs.Pretrained), null);
            default:
                throw new InvalidOperationException($"unknown PEFT method {variant.Method}");
        }
    }
}

using System.Globalization;
using Atlas.Data;
using Atlas.Method.Composition;
using Atlas.Models;
using Atlas.Pipeline.Specs;
using Atlas.Training;
using Atlas.Training.Composition;
using Atlas.Training.Optim;
using Atlas.Training.Selection;
using static TorchSharp.torch;

using Atlas.Stages.Composition;

namespace Atlas.Stages.Addition;

/// <summary>
/// Task addition with one method (docs/method.md §M4.2): a single model for all tasks, from θ0 and the tasks' vectors. Task
/// arithmetic and TIES-merging search one scale on the validation splits; aTLAS learns Λ on the validation splits
/// (per-task mini-batches, summed cross-entropy, each task through its own frozen head) and keeps the epoch with the
/// best mean normalised validation accuracy; layer-wise AdaMerging minimises prediction entropy on the unlabelled test
/// splits as its reference code does. Every method is reported on the test splits.
/// </summary>
public sealed class AdditionStage(CompositionMethod method, IReadOnlyList<string> tasks) : Stage
{
    /// <summary>The stage id (and folder) of one method: <c>addition/NAME</c>.</summary>
    public static string IdOf(CompositionMethod method) => $"addition/{SpecNames.Of(method)}";

    public static string ResultPath(ArtifactLayout layout, CompositionMethod method) => layout.StageFile(IdOf(method), "result.json");

    /// <summary>Learned Λ of a method, with task and block names (<c>safetensors</c> or <c>csv</c>).</summary>
    public static string CoefficientsPath(ArtifactLayout layout, CompositionMethod method, string extension) =>
        layout.StageFile(IdOf(method), $"coefficients.{extension}");

    public override string Id => IdOf(method);
    public override bool RunsOnDevice => true;
    public override string Phase => "Addition";
    public override string Description => $"task addition of {tasks.Count} task vectors by {SpecNames.Of(method)}";
    public override IReadOnlyList<string> DependsOn => CompositionInputs.Stages(tasks, tasks);

    public override object Parameters(ExperimentContext context) => new
    {
        Method = method,
        Tasks = CompositionInputs.DataParameters(context, tasks),
        Plan(Spec(context)).Settings,
        context.Spec.Evaluate.Batch,
    };

    public override IReadOnlyList<string> Inputs(ExperimentContext context) => [.. CompositionInputs.Files(context, tasks, tasks), .. DataFiles(context)];

    public override IReadOnlyList<string> Outputs(ExperimentContext context) =>
        Learned ? [ResultPath(context.Layout, method), .. CoefficientFiles(context)] : [ResultPath(context.Layout, method)];

    public override void Execute(ExperimentContext context, StageRun run)
    {
        var spec = Spec(context);
        using var inputs = CompositionInputs.Load(context, tasks, tasks);
        RequireNormalisers(inputs);
        var result = Plan(spec).Run(context, inputs, run);
        context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{Id}] {result.Selection}: mean test accuracy {result.MeanTest:F2}%, normalised {result.MeanNormalizedTest:F2}%"));
        context.WriteJson(ResultPath(context.Layout, method), result);
    }

    public static AdditionResult Read(ExperimentContext context, CompositionMethod method) =>
        context.ReadJson<AdditionResult>(ResultPath(context.Layout, method));

    /// <summary>The one dispatch on the method: the spec settings that decide its result (the lock's parameters) and
    /// how it runs. Isotropic and blockwise aTLAS share the recipe and differ in the coefficient layout.</summary>
    private MethodPlan Plan(AdditionSpec spec) => method switch
    {
        CompositionMethod.TaskArithmetic => new(spec.AlphaGrid, (context, inputs, _) => SearchScale(context, inputs, inputs.Pool, spec.AlphaGrid, "α")),
        CompositionMethod.Ties => new(spec.Ties, (context, inputs, _) => SearchTies(context, inputs, spec.Ties)),
        CompositionMethod.AdaMerging => new(spec.Adamerging, (context, inputs, run) => AdaMerging(context, inputs, spec.Adamerging, run)),
        CompositionMethod.AtlasIsotropic => new(spec.Learn,
            (context, inputs, run) => LearnAtlas(context, inputs, spec.Learn, CoefficientLayout.Isotropic(inputs.Pool.BlockNames), run)),
        CompositionMethod.AtlasBlockwise => new(spec.Learn,
            (context, inputs, run) => LearnAtlas(context, inputs, spec.Learn, CoefficientLayout.Blockwise(inputs.Pool.BlockNames), run)),
        _ => throw new InvalidOperationException($"unknown task-addition method {method}"),
    };

    private sealed record MethodPlan(object Settings, Func<ExperimentContext, CompositionInputs, StageRun, AdditionResult> Run);

    private bool Learned => method is not (CompositionMethod.TaskArithmetic or CompositionMethod.Ties);

    private IReadOnlyList<string> CoefficientFiles(ExperimentContext context) =>
        [CoefficientsPath(context.Layout, method, "safetensors"), CoefficientsPath(context.Layout, method, "csv")];

    /// <summary>Normalised accuracy divides by each task's fine-tuned accuracy: a fine-tuned model that got nothing right
    /// makes every score of the stage undefined, so it stops here, before any search, naming the task.</summary>
    private static void RequireNormalisers(CompositionInputs inputs)
    {
        var undefined = inputs.Tasks.Where(t => t.Accuracy.FineTunedVal <= 0 || t.Accuracy.FineTunedTest <= 0).ToList();
        if (undefined.Count > 0)
        {
            throw new InvalidOperationException(
                "normalised accuracy is undefined: " + string.Join("; ", undefined.Select(t => string.Create(CultureInfo.InvariantCulture,
                    $"task '{t.Name}' has fine-tuned accuracy {t.Accuracy.FineTunedVal:F2}% (val) / {t.Accuracy.FineTunedTest:F2}% (test) in {StageIds.Evaluate(t.Name)}"))) +
                " (fine-tune it longer or check its data)");
        }
    }

    private static AdditionSpec Spec(ExperimentContext context) =>
        context.Spec.Addition ?? throw new InvalidOperationException($"{context.SpecPath}: no addition section");

    /// <summary>Per-task val accuracies and their normalised mean, the selection score of every method.</summary>
    private static (double Score, Dictionary<string, double> Metrics) ValScore(ExperimentContext context, CompositionInputs inputs,
        IReadOnlyDictionary<string, Tensor> weights)
    {
        var metrics = inputs.Tasks.ToDictionary(t => t.Name, t => t.AccuracyOf(weights, t.Val, context));
        double score = inputs.Tasks.Average(t => 100 * metrics[t.Name] / t.Accuracy.FineTunedVal);
        return (score, metrics);
    }

    /// <summary>Val and test accuracies of the final weights, per task.</summary>
    /// <param name="knownVal">The val accuracies these very weights already got during the search or selection (the
    /// same composition of the same Λ, scored the same way, so the same numbers): taken as they are instead of scoring
    /// the val splits a second time.</param>
    private static IReadOnlyList<TaskScore> Scores(ExperimentContext context, CompositionInputs inputs, IReadOnlyDictionary<string, Tensor> weights,
        IReadOnlyDictionary<string, double> knownVal)
    {
        using var scope = NewDisposeScope();
        return
        [
            .. inputs.Tasks.Select(t =>
            {
                double val = knownVal.TryGetValue(t.Name, out double known) ? known : t.AccuracyOf(weights, t.Val, context);
                double test = t.AccuracyOf(weights, t.Test, context);
                return new TaskScore(t.Name, val, test, 100 * val / t.Accuracy.FineTunedVal, 100 * test / t.Accuracy.FineTunedTest);
            }),
        ];
    }

    /// <summary>θ0 + s·Σ τ over the pool, s chosen on validation; the pool is the tasks' vectors or TIES's merged one.</summary>
    private AdditionResult SearchScale(ExperimentContext context, CompositionInputs inputs, TaskVectorPool pool, ScalingGridSpec gridSpec, string symbol)
    {
        var grid = new List<GridPoint>();
        var (best, _) = ScalingGrid.SelectBest(ScalingGrid.Linspace(gridSpec.Start, gridSpec.Stop, gridSpec.Count), scale =>
        {
            using var scope = NewDisposeScope();
            var (score, metrics) = ValScore(context, inputs, TaskArithmetic.Apply(inputs.Pretrained, pool, scale));
            grid.Add(new GridPoint(scale, score, true, metrics));
            context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{Id}] {symbol} = {scale:0.###}: mean normalised val accuracy {score:F2}%"));
            return score;
        });
        using var scope = NewDisposeScope();
        var selection = string.Create(CultureInfo.InvariantCulture, $"{symbol} = {best:0.###}");
        var bestMetrics = grid.First(p => p.Value == best).Metrics;
        return new AdditionResult(method, selection, Scores(context, inputs, TaskArithmetic.Apply(inputs.Pretrained, pool, best), bestMetrics), grid, null, null);
    }

    private AdditionResult SearchTies(ExperimentContext context, CompositionInputs inputs, TiesSpec ties)
    {
        long outside = TiesZeroEntriesOutside(context.Config, inputs.Pool.BlockNames, ties.TrimScope);
        long poolEntries = inputs.Pool.BlockShapes.Sum(shape => shape.Aggregate(1L, (a, b) => a * b));
        double keptOfPool = (double)Math.Min(TiesMerging.KeepCount(poolEntries, ties.Keep, outside), poolEntries) / poolEntries;
        using var merged = TiesMerging.MergeToPool(inputs.Pretrained, inputs.Pool, ties.Keep, outside);
        var result = SearchScale(context, inputs, merged, ties.Grid, "λ");
        return result with
        {
            Selection = string.Create(CultureInfo.InvariantCulture,
                $"top {100 * ties.Keep:0.#}% of the {SpecNames.Of(ties.TrimScope)} kept ({100 * keptOfPool:0.0}% of the image tower's entries), disjoint mean, {result.Selection}"),
        };
    }

    /// <summary>The always-zero entries TIES's trim counts besides the pool's: under <see cref="TiesTrimScope.StateDict"/>
    /// every entry of the reference's image-encoder checkpoint outside the pool's blocks (its text-side tensors), else none.</summary>
    public static long TiesZeroEntriesOutside(ClipConfig config, IReadOnlyList<string> poolBlocks, TiesTrimScope scope) => scope switch
    {
        TiesTrimScope.ImageTower => 0,
        TiesTrimScope.StateDict => ClipParameterNames.ImageEncoderCheckpoint(config)
            .Where(p => !poolBlocks.Contains(p.Name))
            .Sum(p => p.Shape.Aggregate(1L, (a, b) => a * b)),
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "unknown TIES trim scope"),
    };

    /// <summary>AdaMerging's coefficient layout: one λ per task vector and parameter tensor (the reference), or per layer.</summary>
    public static CoefficientLayout AdaMergingLayout(AdaMergingGranularity granularity, IReadOnlyList<string> blockNames) => granularity switch
    {
        AdaMergingGranularity.PerTensor => CoefficientLayout.Blockwise(blockNames),
        AdaMergingGranularity.PerLayer => CoefficientLayout.Layerwise(blockNames),
        _ => throw new ArgumentOutOfRangeException(nameof(granularity), granularity, "unknown AdaMerging granularity"),
    };

    /// <summary>Layer-wise AdaMerging as its reference code: Λ from <c>init</c>, composed through clamp(Λ, 0, 1); at every
    /// step, per task, <c>batches_per_task</c> batches from a fresh shuffle of the unlabelled test split, the loss the sum
    /// over tasks and batches of the batch's mean entropy; Adam with no weight decay, constant rate. No labels anywhere,
    /// so no selection: the last (clamped) Λ is the result.</summary>
    private AdditionResult AdaMerging(ExperimentContext context, CompositionInputs inputs, AdaMergingSpec spec, StageRun run)
    {
        using var layout = AdaMergingLayout(spec.Granularity, inputs.Pool.BlockNames);
        var model = new ComposedModel(inputs.Pretrained, inputs.Pool, layout, CoefficientBounds.UnitInterval);
        var batches = new TaskBatches(
            [.. inputs.Tasks.Select(t => (new ImageBatches(t.Test, spec.Batch * spec.BatchesPerTask, null,
                StageIds.Seed(run.Seed, t.Name), sampling: BatchSampling.FreshShuffle), t.Head))],
            context.Config);
        var recipe = new OptimizationRecipe(spec.Lr, 0, spec.Steps, 0, Cosine: false, double.PositiveInfinity);
        var checkpoint = Checkpoint(context, run, spec.Steps);
        var (coefficients, history) = model.Train(model.Initial(spec.Init), recipe,
            (weights, step) => stack(batches.At(weights, step).Select(t => EntropyLoss.SumOfBatchMeans(t.Logits, spec.Batch)).ToArray()).sum(),
            new TrainingProgress(Id, spec.Steps, context.Log), checkpoint);
        var result = Finish(context, inputs, model, coefficients, "last step (unsupervised)", null, history, knownVal: new Dictionary<string, double>());
        checkpoint.Delete();
        return result;
    }

    /// <summary>aTLAS: Λ from 0, AdamW on the summed cross-entropy of per-task validation batches, best epoch kept.</summary>
    private AdditionResult LearnAtlas(ExperimentContext context, CompositionInputs inputs, CoefficientTraining learn, CoefficientLayout layout, StageRun run)
    {
        using var owned = layout;
        var model = new ComposedModel(inputs.Pretrained, inputs.Pool, layout);
        var batches = new TaskBatches(
            [.. inputs.Tasks.Select(t => (new ImageBatches(t.Val, learn.Batch, BatchAugmentation.Crop(learn.Crop()), StageIds.Seed(run.Seed, t.Name)), t.Head))],
            context.Config);
        // The paper's epoch: as many steps as the smallest validation split has batches.
        int stepsPerEpoch = Math.Max(1, inputs.Tasks.Min(t => t.Val.Count) / learn.Batch);
        int steps = stepsPerEpoch * learn.Epochs;
        var initial = model.Initial();
        using var selection = new EpochSelection(stepsPerEpoch, initial, trained =>
        {
            var (score, metrics) = ValScore(context, inputs, model.Weights(trained));
            context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{Id}] mean normalised val accuracy {score:F2}%"));
            return new EpochVerdict(score, Admissible: true, Stop: false, metrics);
        });
        var checkpoint = Checkpoint(context, run, steps);
        var (_, history) = model.Train(initial, learn.Recipe(steps), (weights, step, micro) => batches.SummedCrossEntropy(weights, step, micro, learn.GradientAccumulation),
            new TrainingProgress(Id, steps, context.Log), checkpoint, selection, learn.Regularizer());
        var best = selection.BestWeights[ComposedModel.CoefficientsKey];
        var result = Finish(context, inputs, model, best, $"epoch {selection.BestEpoch} of {learn.Epochs} (best mean normalised val accuracy)",
            selection.Records, history, selection.Records.First(r => r.Epoch == selection.BestEpoch).Metrics);
        checkpoint.Delete();
        return result;
    }

    private AdditionResult Finish(ExperimentContext context, CompositionInputs inputs, ComposedModel model, Tensor coefficients, string selection,
        IReadOnlyList<EpochRecord>? epochs, IReadOnlyList<LossPoint> history, IReadOnlyDictionary<string, double> knownVal)
    {
        using var effective = model.Effective(coefficients).detach();
        CoefficientArtifacts.Write(context, CoefficientsPath(context.Layout, method, "safetensors"),
            CoefficientsPath(context.Layout, method, "csv"), inputs.Pool.TaskNames, model.Layout, effective);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var scores = Scores(context, inputs, model.Weights(coefficients), knownVal);
        return new AdditionResult(method, selection, scores, null, epochs, history);
    }

}

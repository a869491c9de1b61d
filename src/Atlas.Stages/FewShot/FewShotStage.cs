using System.Globalization;
using Atlas.Data;
using Atlas.Method;
using Atlas.Method.Adapters;
using Atlas.Method.Composition;
using Atlas.Method.GradientFree;
using Atlas.Models;
using Atlas.Pipeline.Specs;
using Atlas.Stages.Composition;
using Atlas.Training;
using Atlas.Training.Adapters;
using Atlas.Training.Composition;
using static TorchSharp.torch;

namespace Atlas.Stages.FewShot;

/// <summary>
/// Few-shot recognition of one target (docs/method.md §M4.3): for every shot count k and draw, k images per class are sampled
/// from the target's train partition (stored as indices), and the target is learned from them by
/// <list type="bullet">
/// <item>aTLAS: blockwise Λ over the pool of every other task's vector (the target's own is excluded), AdamW with a
/// cosine schedule on oversampled, strongly augmented batches (crop 0.5–1 and flips), the epoch chosen on the full
/// validation split (the paper's protocol) or the last epoch (no label beyond the k shots);</item>
/// <item>Tip-Adapter-F and LP++ (the paper's few-shot baselines) and a linear probe (an extra baseline, not in the paper)
/// on cached features of the zero-shot tower, each trained (the released code never calls backward for the adapters),
/// and the two adapters again on the aTLAS tower;</item>
/// <item>gradient-free aTLAS: the same Λ searched by a (1+1) evolution strategy, each evaluation one pass of the
/// cross-entropy over the oversampled, augmented shots (the release's <c>learn_coef_gfree.py</c>).</item>
/// </list>
/// Every method is scored on the test split.
/// </summary>
public sealed class FewShotStage(string target, IReadOnlyList<string> pool) : TargetStage(target, pool)
{
    /// <summary>The stage id (and folder) of one target: <c>fewshot/TARGET</c>.</summary>
    public static string IdOf(string target) => $"fewshot/{target}";

    /// <summary>Every few-shot run of a target: k-shot indices, kept epoch and test accuracy per method.</summary>
    public static string ResultPath(ArtifactLayout layout, string target) => layout.StageFile(IdOf(target), ResultFileName);

    public override string Id => IdOf(Target);
    public override bool RunsOnDevice => true;
    public override string Phase => "FewShot";
    public override string Description => $"few-shot {Target} from {Pool.Count} other task vectors";

    protected override object Settings(ExperimentContext context) => Spec(context) with { Targets = [] };

    public override void Execute(ExperimentContext context, StageRun run)
    {
        var spec = Spec(context);
        using var inputs = CompositionInputs.Load(context, Pool, [Target]);
        var task = inputs.Tasks[0];
        using var train = context.TaskData(context.Task(Target), SourceSplit.Train);
        var trainLabels = train.Labels.data<long>().ToArray();
        int classes = (int)task.Head.shape[0];
        int batch = context.Spec.Evaluate.Batch;
        using var zeroShotTest = FeatureCache.Encode(inputs.Pretrained, task.Test, context.Config, batch);
        using var zeroShotTestLogits = ZeroShotHead.Logits(zeroShotTest, task.Head);
        double zeroShotAccuracy = FeatureCache.Accuracy(zeroShotTestLogits, task.Test.Labels);

        var ledger = new RunLedger<FewShotRun>(context.Absolute(context.Layout.RunLedger(Id)), run.Key, context.Log);
        var runs = new List<FewShotRun>();
        // Λ = 0 is θ0 in every draw: its validation accuracy (the selection's starting score) is scored once.
        double? startingValAccuracy = null;
        foreach (int shots in spec.Shots)
            for (int draw = 0; draw < spec.Seeds; draw++)
            {
                ulong seed = unchecked((ulong)StageIds.Seed(run.Seed, $"k{shots}/draw{draw}"));
                int k = shots, d = draw;
                runs.Add(ledger.GetOrRun($"k{shots}/draw{draw}", () =>
                {
                    using var scope = NewDisposeScope();
                    var set = FewShotSampler.Sample(trainLabels, k, seed, classes);
                    var accuracy = RunOne(context, spec, inputs, train, set, seed, zeroShotTest, zeroShotTestLogits, ref startingValAccuracy, out int epoch);
                    accuracy[FewShotMethods.ZeroShot] = zeroShotAccuracy;
                    context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"[{Id}] k = {k}, draw {d}: {string.Join(", ", FewShotMethods.All.Select(m => $"{m} {accuracy[m]:F2}"))}"));
                    return new FewShotRun(k, d, seed, set.Positions, epoch, accuracy);
                }));
            }
        context.WriteJson(ResultPath(context.Layout, Target), new FewShotResult(Target, Pool, runs));
        ledger.Delete();
    }

    public static FewShotResult Read(ExperimentContext context, string target) =>
        context.ReadJson<FewShotResult>(ResultPath(context.Layout, target));

    private static FewShotSpec Spec(ExperimentContext context) =>
        context.Spec.FewShot ?? throw new InvalidOperationException($"{context.SpecPath}: no few_shot section");

    private Dictionary<string, double> RunOne(ExperimentContext context, FewShotSpec spec, CompositionInputs inputs, ILabelledImageSet train,
        FewShotSet set, ulong seed, Tensor zeroShotTest, Tensor zeroShotTestLogits, ref double? startingValAccuracy, out int atlasEpoch)
    {
        var task = inputs.Tasks[0];
        var learn = spec.Learn;
        var (batches, stepsPerEpoch) = ShotBatches.For(train, set, learn, spec.MinBatchesPerEpoch, seed);
        int steps = stepsPerEpoch * learn.Epochs;

        // aTLAS: blockwise Λ over the other tasks' vectors.
        using var layout = CoefficientLayout.Blockwise(inputs.Pool.BlockNames);
        var model = new ComposedModel(inputs.Pretrained, inputs.Pool, layout);
        var objective = new TaskBatches([(batches, task.Head)], context.Config);
        var initial = model.Initial();
        using var selection = spec.Selection == ModelSelection.Validation
            ? task.ValidationSelection(stepsPerEpoch, model, initial, context, initialAccuracy: startingValAccuracy)
            : null;
        startingValAccuracy ??= selection?.Records[0].Score;
        var (last, _) = model.Train(initial, learn.Recipe(steps), (weights, step, micro) => objective.SummedCrossEntropy(weights, step, micro, learn.GradientAccumulation), new TrainingProgress(Id, steps, TextWriter.Null),
            null, selection, learn.Regularizer());
        var coefficients = selection?.BestWeights[ComposedModel.CoefficientsKey] ?? last;
        atlasEpoch = selection?.BestEpoch ?? learn.Epochs;
        using var noGrad = no_grad();
        var atlasWeights = model.Weights(coefficients);
        var atlasTest = FeatureCache.Encode(atlasWeights, task.Test, context.Config, context.Spec.Evaluate.Batch);

        var accuracy = new Dictionary<string, double>
        {
            [FewShotMethods.Atlas] = FeatureCache.Accuracy(ZeroShotHead.Logits(atlasTest, task.Head), task.Test.Labels),
        };
        // Feature-level methods train on one augmented pass over the oversampled shots (the paper's cache).
        var cacheImages = cat([.. Enumerable.Range(0, stepsPerEpoch).Select(s => batches.At(s).Images)], 0);
        // The cache's labels live with the head and the features (on the CPU, the concatenation itself).
        var cacheLabels = DevicePlacement.Like(cat([.. Enumerable.Range(0, stepsPerEpoch).Select(s => batches.At(s).Labels)], 0), task.Head);
        var adapters = spec.Adapters;
        using (enable_grad())
        {
            var zeroShotCache = FeatureCache.Encode(inputs.Pretrained, cacheImages, context.Config, context.Spec.Evaluate.Batch);
            var probe = FeatureHeadTraining.Fit(LinearProbe.Initialize(task.Head, fromZeroShot: adapters.LinearProbeInit == LinearProbeInit.ZeroShot), w => LinearProbe.Logits(w, zeroShotCache), cacheLabels,
                adapters.LinearProbeLr, adapters.WeightDecay, adapters.GradClip, adapters.LinearProbeEpochs);
            accuracy[FewShotMethods.LinearProbe] = FeatureCache.Accuracy(LinearProbe.Logits(probe, zeroShotTest), task.Test.Labels);
            (accuracy[FewShotMethods.TipAdapter], accuracy[FewShotMethods.LpPlusPlus]) =
                Adapters(adapters, task.Head, zeroShotCache, cacheLabels, zeroShotTest, zeroShotTestLogits, task.Test.Labels, seed);
            var atlasCache = FeatureCache.Encode(atlasWeights, cacheImages, context.Config, context.Spec.Evaluate.Batch);
            (accuracy[FewShotMethods.AtlasTip], accuracy[FewShotMethods.AtlasLpp]) =
                Adapters(adapters, task.Head, atlasCache, cacheLabels, atlasTest, ZeroShotHead.Logits(atlasTest, task.Head), task.Test.Labels, seed);
        }

        accuracy[FewShotMethods.AtlasGradientFree] = GradientFree(context, spec, model, task, train, set, seed);
        return accuracy;
    }

    /// <summary>Tip-Adapter-F and LP++ trained on cached features; their test accuracies. LP++ divides the zero-shot
    /// logits by the head's own logit scale, and its bias draw is seeded by the k-shot draw's seed (the same start on both
    /// towers).</summary>
    private static (double Tip, double Lpp) Adapters(AdapterTraining settings, Tensor head, Tensor cache, Tensor cacheLabels,
        Tensor test, Tensor testLogits, Tensor testLabels, ulong seed)
    {
        int classes = (int)head.shape[0];
        var cacheLogits = ZeroShotHead.Logits(cache, head);
        var values = TipAdapter.Values(cacheLabels, classes);
        var tip = FeatureHeadTraining.Fit(TipAdapter.Initialize(cache, cacheLabels, classes),
            w => TipAdapter.Logits(w, cache, cacheLogits, values), cacheLabels, settings.TipLr, settings.WeightDecay, settings.GradClip, settings.TipEpochs);

        double headScale = LinearProbePlusPlus.HeadScale(head);
        var lppStart = LinearProbePlusPlus.Initialize(cache, cacheLabels, head,
            perClassAlpha: settings.LppAlphaInit == LppAlphaInit.PerClass, unchecked((long)seed));
        Tensor LppLogits(IReadOnlyDictionary<string, Tensor> w) => LinearProbePlusPlus.Logits(w, cache, cacheLogits, headScale);
        double weightLr = LinearProbePlusPlus.WeightLearningRate(cache);
        var lpp = settings.LppOptimizer switch
        {
            LppOptimizer.Original => LinearProbePlusPlusTraining.Fit(lppStart, LppLogits, cacheLabels,
                weightLr, LinearProbePlusPlus.AlphaLearningRate(cache, head), settings.LppEpochs),
            LppOptimizer.AtlasAdamW => FeatureHeadTraining.Fit(lppStart, LppLogits, cacheLabels,
                weightLr, settings.WeightDecay, settings.GradClip, settings.LppEpochs),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.LppOptimizer, "unknown LP++ optimiser"),
        };
        return (FeatureCache.Accuracy(TipAdapter.Logits(tip, test, testLogits, values), testLabels),
            FeatureCache.Accuracy(LinearProbePlusPlus.Logits(lpp, test, testLogits, headScale), testLabels));
    }

    /// <summary>Gradient-free aTLAS (docs/method.md §M3.5, the release's <c>learn_coef_gfree.py</c>): Λ searched from 0 in
    /// [−bound, bound] by a (1+1)-ES with the spec's budget; each evaluation scores one fresh pass over the oversampled,
    /// augmented k-shot batches (<see cref="GradientFreeBatches"/>, <see cref="PassCrossEntropy"/>); the best Λ is tested
    /// once.</summary>
    private static double GradientFree(ExperimentContext context, FewShotSpec spec, ComposedModel model, TaskSplits task, ILabelledImageSet train,
        FewShotSet set, ulong seed)
    {
        var search = spec.GradientFree;
        var (batches, stepsPerPass) = GradientFreeBatches.For(train, set, spec, seed);
        var objective = new PassCrossEntropy(batches, stepsPerPass);
        var shape = model.Layout.CoefficientShape(model.Pool.TaskCount);
        int evaluationBatch = context.Spec.Evaluate.Batch;
        double Loss(double[] values)
        {
            using var scope = NewDisposeScope();
            var weights = model.Weights(tensor(values.Select(v => (float)v).ToArray()).view(shape));
            return objective.Next(images => ZeroShotHead.Logits(FeatureCache.Encode(weights, images, context.Config, evaluationBatch), task.Head));
        }
        var result = OnePlusOneEvolution.Minimize(Loss, new double[shape.Aggregate(1L, (a, b) => a * b)], search.Budget,
            search.InitialStep, unchecked((long)seed), -search.Bound, search.Bound);
        var best = tensor(result.Best.Select(v => (float)v).ToArray()).view(shape);
        var test = FeatureCache.Encode(model.Weights(best), task.Test, context.Config, evaluationBatch);
        return FeatureCache.Accuracy(ZeroShotHead.Logits(test, task.Head), task.Test.Labels);
    }
}

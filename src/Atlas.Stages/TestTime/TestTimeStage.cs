using System.Globalization;
using Atlas.Data;
using Atlas.Method;
using Atlas.Method.Composition;
using Atlas.Models;
using Atlas.Pipeline.Specs;
using Atlas.Stages.Composition;
using Atlas.Training;
using Atlas.Training.Adaptation;
using Atlas.Training.Composition;
using static TorchSharp.torch;

namespace Atlas.Stages.TestTime;

/// <summary>
/// Test-time adaptation of one target (docs/method.md §M5): blockwise Λ over the other tasks' vectors, learned from the target's
/// test images without their labels by each objective, starting at Λ = 0 (zero-shot):
/// <list type="bullet">
/// <item><c>entropy</c>: mean prediction entropy of strongly augmented views (crop, flip), AdamW with a cosine schedule;</item>
/// <item><c>sar</c>: sharpness-aware minimisation of the entropy of reliable samples, with resets, on the augmented views
/// by default (the reference's), the plain images as an option;</item>
/// <item><c>ufm</c>: the intended FixMatch-style objective — weak (plain) and strong views, soft targets from the weak
/// view, a trusted set re-estimated every epoch with the current model (the k most confident images per predicted class,
/// labelled with that class; the released main branch's once-only zero-shot rule as an option), and an annealed
/// confidence threshold.</item>
/// </list>
/// Labels are only used to score the final Λ on the same test images: there is no labelled model selection (the
/// released main branch selects on labelled validation data; the unsupervised setting does not allow it).
/// </summary>
public sealed class TestTimeStage(string target, IReadOnlyList<string> pool) : TargetStage(target, pool)
{
    /// <summary>The stage id (and folder) of one target: <c>tta/TARGET</c>.</summary>
    public static string IdOf(string target) => $"tta/{target}";

    /// <summary>Test-time adaptation of a target: test accuracy per objective and each run's diagnostics.</summary>
    public static string ResultPath(ArtifactLayout layout, string target) => layout.StageFile(IdOf(target), ResultFileName);

    public override string Id => IdOf(Target);
    public override bool RunsOnDevice => true;
    public override string Phase => "TestTime";
    public override string Description => $"test-time adaptation of {Target} from {Pool.Count} other task vectors";

    protected override object Settings(ExperimentContext context) => Spec(context) with { Targets = [] };

    public override void Execute(ExperimentContext context, StageRun run)
    {
        var spec = Spec(context);
        var learn = spec.Learn;
        using var inputs = CompositionInputs.Load(context, Pool, [Target]);
        var task = inputs.Tasks[0];
        var images = task.Test.Images;
        int count = (int)images.shape[0];
        int stepsPerEpoch = Math.Max(1, count / learn.Batch);
        int steps = stepsPerEpoch * learn.Epochs;
        var recipe = learn.Recipe(steps);
        var regularizer = learn.Regularizer();
        using var layout = CoefficientLayout.Blockwise(inputs.Pool.BlockNames);
        var model = new ComposedModel(inputs.Pretrained, inputs.Pool, layout);

        // Batches are made on the CPU (test images, augmentation) and follow the head to its device (on the CPU, unmoved).
        Tensor LogitsOf(IReadOnlyDictionary<string, Tensor> weights, Tensor batch) =>
            ZeroShotHead.Logits(ClipForward.EncodeImage(Preprocessing.Normalize(DevicePlacement.Like(batch, task.Head), context.Config), weights,
                context.Config.Vision), task.Head);
        double TestAccuracy(Tensor coefficients)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            return task.AccuracyOf(model.Weights(coefficients), task.Test, context);
        }

        var accuracy = new Dictionary<TestTimeObjective, double>();
        int classes = context.Task(Target).Classes.Count;
        var testLabels = task.Test.Labels.data<long>().ToArray(); // only to report how many trusted pseudo-labels are right
        int sarResets = 0, sarSkipped = 0, ufmSteps = 0, ufmPerClass = 0;
        IReadOnlyList<int> ufmTrusted = [], ufmTrustedCorrect = [];
        foreach (var objective in spec.Objectives)
        {
            using var scope = NewDisposeScope();
            string name = SpecNames.Of(objective);
            TrainingProgress Progress(int total) => new($"{Id} {name}", total, context.Log);
            Tensor coefficients;
            switch (objective)
            {
                case TestTimeObjective.Entropy:
                {
                    var batches = new ImageBatches(images, task.Test.Labels, learn.Batch, learn.Crop(),
                        StageIds.Seed(run.Seed, name), StrongAugmentation.PaperFlipProbability);
                    (coefficients, _) = model.Train(model.Initial(), recipe,
                        (weights, step, micro) => EntropyLoss.Mean(LogitsOf(weights, batches.At(step, micro, learn.GradientAccumulation).Images)), Progress(steps), regularizer: regularizer);
                    break;
                }
                case TestTimeObjective.Sar:
                {
                    var sar = spec.Sar;
                    var batches = SarBatches(images, task.Test.Labels, learn, sar.Views, StageIds.Seed(run.Seed, name));
                    var settings = new SarSettings(learn.Lr, sar.Rho, sar.Margin, sar.ResetThreshold, sar.Momentum, sar.EmaDecay);
                    var (adapted, trace) = SarAdaptation.Run(model.Initial(), (trained, step, micro) => LogitsOf(model.Weights(trained), batches.At(step, micro, learn.GradientAccumulation).Images),
                        steps, learn.GradientAccumulation, settings, Progress(steps));
                    coefficients = adapted[ComposedModel.CoefficientsKey];
                    sarResets = trace.Count(s => s.Reset);
                    sarSkipped = trace.Count(s => !s.Updated);
                    break;
                }
                case TestTimeObjective.Ufm:
                {
                    var ufm = spec.Ufm;
                    var settings = new UfmSettings(ufm.TrustedSet == UfmTrustedSet.PerPredictedClassEachEpoch, ufm.TrustedDivisor, ufm.TrustedCap,
                        ufm.TrustedShare, ufm.Temperature, ufm.ThresholdStart, ufm.ThresholdRise);
                    ulong seed = unchecked((ulong)StageIds.Seed(run.Seed, name));
                    var schedule = new UfmSchedule(count, classes, learn.Batch, learn.Epochs, settings, seed);
                    var mask = DevicePlacement.Like(schedule.TrustedMask(), task.Head);
                    var strong = new StrongAugmentation(new RandomResizedCrop(learn.CropScale[0], learn.CropScale[1]),
                        new RandomHorizontalFlip(StrongAugmentation.PaperFlipProbability));
                    (coefficients, _) = model.Train(model.Initial(), learn.Recipe(schedule.Steps), (weights, step, micro) =>
                    {
                        // The weak view (the plain images) of every test image under the current Λ, at an epoch's first step.
                        // The trusted set is chosen from the probabilities on the CPU (they are read element by element).
                        var batch = schedule.At(step, () => DevicePlacement.To(nn.functional.softmax(
                            ZeroShotHead.Logits(FeatureCache.Encode(weights, images, context.Config, context.Spec.Evaluate.Batch), task.Head), 1), CPU));
                        var selected = images.index_select(0, tensor(batch.Indices.Select(i => (long)i).ToArray()));
                        Tensor weak;
                        using (no_grad()) weak = LogitsOf(weights, selected);
                        using var generator = StrongAugmentation.GeneratorFor(seed, step);
                        // Under accumulation every part sees the whole batch's weak view and strong images, and forwards its own rows.
                        long part = selected.shape[0] / learn.GradientAccumulation;
                        var strongLogits = LogitsOf(weights, strong.Apply(selected, generator).narrow(0, micro * part, part));
                        return UfmAdaptation.UfmLossOfPart(weak, strongLogits, mask, DevicePlacement.Like(batch.PseudoLabels, task.Head), batch.Threshold,
                            ufm.Temperature, micro, learn.GradientAccumulation);
                    }, Progress(schedule.Steps), regularizer: regularizer);
                    ufmSteps = schedule.Steps;
                    ufmPerClass = schedule.PerClass;
                    ufmTrusted = [.. schedule.Sets.Select(t => t.Trusted.Count)];
                    ufmTrustedCorrect = [.. schedule.Sets.Select(t => t.Trusted.Count(i => t.PseudoLabels[i] == testLabels[i]))];
                    break;
                }
                default:
                    throw new InvalidOperationException($"unknown test-time objective {objective}");
            }
            accuracy[objective] = TestAccuracy(coefficients);
            context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{Id}] {name}: test accuracy {accuracy[objective]:F2}% (zero-shot {task.Accuracy.ZeroShotTest:F2}%)"));
        }
        var result = new TestTimeResult(Target, Pool, task.Accuracy.ZeroShotTest, accuracy, steps, sarResets, sarSkipped, ufmSteps, ufmPerClass, ufmTrusted, ufmTrustedCorrect);
        context.WriteJson(ResultPath(context.Layout, Target), result);
    }

    /// <summary>
    /// SAR's batches: with <see cref="SarViews.Augmented"/> (the reference, aTLAS's <c>entropy_sar</c>, which loads the test
    /// split through TIP's augmentation) a random resized crop at the learn crop scale and random flips; with
    /// <see cref="SarViews.Plain"/> the images as they are. A step's augmentation is seeded by the step, so both SAM passes
    /// of a step see the same views.
    /// </summary>
    public static ImageBatches SarBatches(Tensor images, Tensor labels, CoefficientTraining learn, SarViews views, long seed) => views switch
    {
        SarViews.Augmented => new ImageBatches(images, labels, learn.Batch, learn.Crop(), seed, StrongAugmentation.PaperFlipProbability),
        SarViews.Plain => new ImageBatches(images, labels, learn.Batch, null, seed),
        _ => throw new ArgumentOutOfRangeException(nameof(views), views, "unknown SAR views"),
    };

    public static TestTimeResult Read(ExperimentContext context, string target) =>
        context.ReadJson<TestTimeResult>(ResultPath(context.Layout, target));

    private static TestTimeSpec Spec(ExperimentContext context) =>
        context.Spec.TestTime ?? throw new InvalidOperationException($"{context.SpecPath}: no test_time section");
}

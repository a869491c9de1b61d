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
/// <item><c>sar</c>: sharpness-aware minimisation of the entropy of reliable samples, on the plain images, with resets;</item>
/// <item><c>ufm</c>: the intended FixMatch-style objective — weak (plain) and strong views, soft targets from the weak
/// view, a trusted set of the most confident zero-shot images per class with their zero-shot labels, and an annealed
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

        Tensor LogitsOf(IReadOnlyDictionary<string, Tensor> weights, Tensor batch) =>
            ZeroShotHead.Logits(ClipForward.EncodeImage(Preprocessing.Normalize(batch, context.Config), weights, context.Config.Vision), task.Head);
        double TestAccuracy(Tensor coefficients)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            return task.AccuracyOf(model.Weights(coefficients), task.Test, context);
        }

        var accuracy = new Dictionary<TestTimeObjective, double>();
        int sarResets = 0, sarSkipped = 0, trustedImages = 0, trustedPerClass = 0;
        foreach (var objective in spec.Objectives)
        {
            using var scope = NewDisposeScope();
            string name = SpecNames.Of(objective);
            var progress = new TrainingProgress($"{Id} {name}", steps, context.Log);
            Tensor coefficients;
            switch (objective)
            {
                case TestTimeObjective.Entropy:
                {
                    var batches = new ImageBatches(images, task.Test.Labels, learn.Batch, learn.Crop(),
                        StageIds.Seed(run.Seed, name), StrongAugmentation.PaperFlipProbability);
                    (coefficients, _) = model.Train(model.Initial(), recipe,
                        (weights, step) => EntropyLoss.Mean(LogitsOf(weights, batches.At(step).Images)), progress, regularizer: regularizer);
                    break;
                }
                case TestTimeObjective.Sar:
                {
                    var batches = new ImageBatches(images, task.Test.Labels, learn.Batch, null, StageIds.Seed(run.Seed, name));
                    var (adapted, trace) = SarAdaptation.Run(model.Initial(), (trained, step) => LogitsOf(model.Weights(trained), batches.At(step).Images),
                        steps, new SarSettings(learn.Lr), progress);
                    coefficients = adapted[ComposedModel.CoefficientsKey];
                    sarResets = trace.Count(s => s.Reset);
                    sarSkipped = trace.Count(s => !s.Updated);
                    break;
                }
                case TestTimeObjective.Ufm:
                {
                    var probabilities = nn.functional.softmax(
                        ZeroShotHead.Logits(FeatureCache.Encode(inputs.Pretrained, images, context.Config, context.Spec.Evaluate.Batch), task.Head), 1);
                    var trusted = TrustedSet.Build(probabilities);
                    (trustedImages, trustedPerClass) = (trusted.Trusted.Count, trusted.PerClass);
                    ulong seed = unchecked((ulong)StageIds.Seed(run.Seed, name));
                    var batches = new UfmBatches(trusted.Unlabelled, trusted.Trusted, learn.Batch, seed);
                    var mask = batches.TrustedMask();
                    var strong = new StrongAugmentation(new RandomResizedCrop(learn.CropScale[0], learn.CropScale[1]),
                        new RandomHorizontalFlip(StrongAugmentation.PaperFlipProbability));
                    int ufmEpochSteps = batches.StepsPerEpoch;
                    (coefficients, _) = model.Train(model.Initial(), recipe, (weights, step) =>
                    {
                        var indices = batches.At(step);
                        var batch = images.index_select(0, tensor(indices.Select(i => (long)i).ToArray()));
                        Tensor weak;
                        using (no_grad()) weak = LogitsOf(weights, batch);
                        using var generator = StrongAugmentation.GeneratorFor(seed, step);
                        var strongLogits = LogitsOf(weights, strong.Apply(batch, generator));
                        double threshold = UfmAdaptation.Threshold((int)Math.Min(step / ufmEpochSteps, learn.Epochs - 1), learn.Epochs);
                        return UfmAdaptation.UfmLoss(weak, strongLogits, mask, trusted.PseudoLabelsOf(indices), threshold);
                    }, progress, regularizer: regularizer);
                    break;
                }
                default:
                    throw new InvalidOperationException($"unknown test-time objective {objective}");
            }
            accuracy[objective] = TestAccuracy(coefficients);
            context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{Id}] {name}: test accuracy {accuracy[objective]:F2}% (zero-shot {task.Accuracy.ZeroShotTest:F2}%)"));
        }
        var result = new TestTimeResult(Target, Pool, task.Accuracy.ZeroShotTest, accuracy, steps, sarResets, sarSkipped, trustedImages, trustedPerClass);
        context.WriteJson(ResultPath(context.Layout, Target), result);
    }

    public static TestTimeResult Read(ExperimentContext context, string target) =>
        context.ReadJson<TestTimeResult>(ResultPath(context.Layout, target));

    private static TestTimeSpec Spec(ExperimentContext context) =>
        context.Spec.TestTime ?? throw new InvalidOperationException($"{context.SpecPath}: no test_time section");
}

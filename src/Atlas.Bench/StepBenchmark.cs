using System.Diagnostics;
using Atlas.Method;
using Atlas.Method.Composition;
using Atlas.Models;
using Atlas.Stages;
using Atlas.Training;
using Atlas.Training.Composition;
using Atlas.Training.Optim;
using Atlas.Training.Towers;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Bench;

/// <summary>
/// Times one <see cref="StepRequest"/> in this process through the pipeline's own code (towers, composer, training
/// loop, AdamW) on a randomly initialised tower, a fixed random batch and random task vectors: step time does not
/// depend on the values. Run one request per process so that the peak resident memory belongs to that method alone.
/// </summary>
public static class StepBenchmark
{
    private const long Seed = 1;

    /// <summary>Measures <paramref name="request"/> at <paramref name="size"/> on the current libtorch thread count.</summary>
    public static StepMeasurement Run(BenchSize size, StepRequest request)
    {
        if (!StepOperations.All.Contains(request.Operation))
            throw new ArgumentException($"unknown bench operation '{request.Operation}'; known: {string.Join(", ", StepOperations.All)}");
        NativeAllocator.Configure(); // as every experiment session does: without it a fresh process re-maps its activations each step
        var memory = ResidentMemory.Start();
        using var scope = NewDisposeScope();
        using var generator = new Generator(unchecked((ulong)Seed));
        var (config, visual, head, images, labels) = Inputs(size, generator);

        var (medianSeconds, trainable) = request.Operation switch
        {
            StepOperations.Forward => (TimeForward(size, config, visual, head, images), 0L),
            StepOperations.FineTune => TimeTraining(size, config, new FullTower(visual), head, new ImageBatches(images, labels, size.Batch, null, Seed)),
            StepOperations.AugmentedFineTune => TimeTraining(size, config, new FullTower(visual), head, AugmentedBatches(size, generator)),
            StepOperations.Lora => TimeTraining(size, config, new LoraTower(visual, size.LoraRank, 2.0 * size.LoraRank, Seed), head,
                new ImageBatches(images, labels, size.Batch, null, Seed)),
            _ => TimeComposition(size, config, visual, head, images, labels, request, generator),
        };
        return new StepMeasurement(request, medianSeconds * 1000, size.Steps, trainable, memory.PeakMiB);
    }

    /// <summary>What every measurement runs on: a randomly initialised tower, a unit-norm head scaled by 100 (CLIP's logit
    /// scale), a batch of [0, 1] images and labels, all drawn from <paramref name="generator"/>; the caller owns the scope.</summary>
    internal static (ClipConfig Config, Dictionary<string, Tensor> Visual, Tensor Head, Tensor Images, Tensor Labels) Inputs(
        BenchSize size, Generator generator)
    {
        var config = ConfigFor(size);
        var visual = ClipInitializer.Initialize(config, Seed)
            .Where(p => p.Key.StartsWith(ClipParameterNames.VisualPrefix, StringComparison.Ordinal))
            .ToDictionary(p => p.Key, p => p.Value);
        using Scalar logitScale = 100.ToScalar();
        var head = nn.functional.normalize(randn([size.Classes, size.Vision.EmbedDim], generator: generator), p: 2, dim: -1) * logitScale;
        var images = rand([size.Batch, size.Vision.Channels, size.Vision.ImageSize, size.Vision.ImageSize], generator: generator);
        var labels = randint(0, size.Classes, [size.Batch], generator: generator);
        return (config, visual, head, images, labels);
    }

    /// <summary>The CLIP config whose image tower is <paramref name="size"/>'s (the text tower is never run).</summary>
    public static ClipConfig ConfigFor(BenchSize size) => ClipConfig.Mini with
    {
        Name = $"bench-{size.Name}",
        Vision = size.Vision,
        Text = ClipConfig.Mini.Text with { EmbedDim = size.Vision.EmbedDim },
    };

    private static double TimeForward(BenchSize size, ClipConfig config, IReadOnlyDictionary<string, Tensor> visual, Tensor head, Tensor images)
    {
        using var noGrad = no_grad();
        var seconds = new List<double>();
        for (int i = 0; i < size.Warmup + size.Steps; i++)
        {
            using var step = NewDisposeScope();
            long started = Stopwatch.GetTimestamp();
            ZeroShotHead.Logits(ClipForward.EncodeImage(Preprocessing.Normalize(images, config), visual, config.Vision), head);
            if (i >= size.Warmup) seconds.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        return Medians.Of(seconds);
    }

    // Warm-up and timed steps are separate loops so that the median covers timed steps only.
    private static (double MedianSeconds, long Trainable) TimeTraining(
        BenchSize size, ClipConfig config, ITowerParameterization tower, Tensor head, ImageBatches batches)
    {
        FineTuning.Run(tower, head, batches, config, Recipe(size.Warmup), new TrainingProgress("warm-up", size.Warmup, TextWriter.Null));
        var progress = new TrainingProgress("bench", size.Steps, TextWriter.Null);
        FineTuning.Run(tower, head, batches, config, Recipe(size.Steps), progress);
        return (progress.MedianStepSeconds, tower.TrainableCount);
    }

    private static (double MedianSeconds, long Trainable) TimeComposition(
        BenchSize size, ClipConfig config, IReadOnlyDictionary<string, Tensor> visual, Tensor head, Tensor images, Tensor labels,
        StepRequest request, Generator generator)
    {
        if (request.TaskCount < 1) throw new ArgumentException($"{request.Operation} needs a pool of at least one task vector");
        var blocks = visual.Keys.ToList();
        using Scalar magnitude = 0.01.ToScalar();
        var vectors = Enumerable.Range(0, request.TaskCount)
            .Select(t => ($"task{t}", (IReadOnlyDictionary<string, Tensor>)visual.ToDictionary(
                p => p.Key, p => randn(p.Value.shape, generator: generator) * magnitude)))
            .ToList();
        using var pool = new TaskVectorPool(visual, blocks, vectors);
        using var layout = request.Partitions is { } k
            ? CoefficientLayout.Partitioned(pool.BlockNames, pool.BlockShapes, k, Seed)
            : CoefficientLayout.Blockwise(pool.BlockNames);
        var model = new ComposedModel(visual, pool, layout);
        var batches = new ImageBatches(images, labels, size.Batch, null, Seed);
        if (request.Operation == StepOperations.Atlas) return TimeTraining(size, config, model, head, batches);

        Tensor LossAt(IReadOnlyDictionary<string, Tensor> weights, long step)
        {
            var (batchImages, batchLabels) = batches.At(step);
            var features = ClipForward.EncodeImage(Preprocessing.Normalize(batchImages, config), weights, config.Vision);
            return nn.functional.cross_entropy(ZeroShotHead.Logits(features, head), batchLabels);
        }
        CoefficientInformativeness.AtZero(model, size.Warmup, LossAt);
        long started = Stopwatch.GetTimestamp();
        CoefficientInformativeness.AtZero(model, size.Steps, LossAt);
        return (Stopwatch.GetElapsedTime(started).TotalSeconds / size.Steps, model.TrainableCount);
    }

    // The fine-tuning stages' augmentation (random resized crop 0.5–1, flip) over eight batches' worth of images.
    private static ImageBatches AugmentedBatches(BenchSize size, Generator generator)
    {
        int count = 8 * size.Batch;
        var images = rand([count, size.Vision.Channels, size.Vision.ImageSize, size.Vision.ImageSize], generator: generator);
        var labels = randint(0, size.Classes, [count], generator: generator);
        return new ImageBatches(images, labels, size.Batch, (0.5, 1.0), Seed, flipProbability: 0.5);
    }

    private static OptimizationRecipe Recipe(int steps) =>
        new(Lr: 1e-5, WeightDecay: 0.1, Steps: steps, WarmupSteps: 0, Cosine: true, GradClip: 1.0);
}

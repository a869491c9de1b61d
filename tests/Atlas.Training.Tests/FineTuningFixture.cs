using Atlas.Method;
using Atlas.Training.Optim;
using static TorchSharp.torch;

namespace Atlas.Training.Tests;

/// <summary>A tiny fine-tuning problem: 12 random 14×14 images in 3 classes under a random frozen head.</summary>
internal sealed class FineTuningFixture
{
    public const int Steps = 8;

    public FineTuningFixture()
    {
        using var generator = new Generator(2024);
        Images = rand([12, 1, 14, 14], generator: generator).DetachFromDisposeScope();
        Labels = (arange(12, dtype: ScalarType.Int64) % 3).DetachFromDisposeScope();
        using var scope = NewDisposeScope();
        Head = ZeroShotHead.Build(randn([3, 2, 16], generator: generator), 10).MoveToOuterDisposeScope();
        Head.DetachFromDisposeScope();
        Pretrained = TestSupport.VisualWeights(seed: 11);
        foreach (var tensor in Pretrained.Values) tensor.DetachFromDisposeScope();
    }

    public Tensor Images { get; }
    public Tensor Labels { get; }
    public Tensor Head { get; }
    public Dictionary<string, Tensor> Pretrained { get; }

    public static OptimizationRecipe Recipe { get; } =
        new(Lr: 1e-3, WeightDecay: 0.1, Steps: Steps, WarmupSteps: 2, Cosine: true, GradClip: 1.0);

    public ImageBatches Batches(long seed) => new(Images, Labels, batchSize: 4, cropScale: (0.5, 1.0), seed);

    public (Dictionary<string, Tensor> Weights, IReadOnlyList<LossPoint> History) Run(
        long batchSeed = 5, ITrainingCheckpoint? checkpoint = null) =>
        FineTuning.Run(Pretrained, Head, Batches(batchSeed), TestSupport.Tiny, Recipe, TestSupport.Silent(Steps), checkpoint);
}

/// <summary>Raised by <see cref="MemoryCheckpoint"/> to simulate a process killed right after a snapshot was written.</summary>
internal sealed class SimulatedCrash : Exception;

/// <summary>An in-memory checkpoint that keeps a deep copy of the last snapshot and can crash after saving it.</summary>
internal sealed class MemoryCheckpoint(int interval) : ITrainingCheckpoint
{
    public TrainingSnapshot? Stored { get; set; }

    /// <summary>CompletedSteps of every Save call, in order.</summary>
    public List<long> Saves { get; } = [];

    public int Loads { get; private set; }

    /// <summary>Throw <see cref="SimulatedCrash"/> once a snapshot with at least this many steps is stored.</summary>
    public long CrashAfter { get; set; } = long.MaxValue;

    public int Interval => interval;

    public TrainingSnapshot? Load()
    {
        Loads++;
        return Stored;
    }

    public void Save(TrainingSnapshot snapshot)
    {
        // The loop hands over its live tensors; a real checkpoint serialises them, this one copies them out of the
        // step's dispose scope.
        Stored = new TrainingSnapshot(snapshot.CompletedSteps, TestSupport.DeepCopy(snapshot.Parameters),
            TestSupport.DeepCopy(snapshot.OptimizerState), snapshot.History.ToList(),
            snapshot.Selection is { } selection ? selection with { BestWeights = TestSupport.DeepCopy(selection.BestWeights), Records = selection.Records.ToList() } : null);
        Saves.Add(snapshot.CompletedSteps);
        if (snapshot.CompletedSteps >= CrashAfter) throw new SimulatedCrash();
    }
}

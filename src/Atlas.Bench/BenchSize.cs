using Atlas.Models;

namespace Atlas.Bench;

/// <summary>What one benchmark run measures on: the image tower, the batch, and how many steps each timing takes.</summary>
/// <param name="Name">Preset name.</param>
/// <param name="Vision">The image tower.</param>
/// <param name="Batch">Images per step.</param>
/// <param name="Classes">Rows of the frozen head.</param>
/// <param name="Steps">Timed steps per measurement (after <paramref name="Warmup"/> untimed ones).</param>
/// <param name="Warmup">Untimed steps first: JIT, allocator and libtorch caches.</param>
/// <param name="MatmulSide">Side n of the n×n×n float32 matrix product that measures the machine's peak.</param>
/// <param name="TaskCounts">Pool sizes T of the composition-overhead grid; the largest is the A/B comparison's pool.</param>
/// <param name="Partitions">K of the aTLAS×K rows of the grid.</param>
/// <param name="LoraRank">r of the LoRA step (α = 2r).</param>
public sealed record BenchSize(
    string Name, VisionConfig Vision, int Batch, int Classes, int Steps, int Warmup, int MatmulSide,
    IReadOnlyList<int> TaskCounts, IReadOnlyList<int> Partitions, int LoraRank)
{
    /// <summary>The mini profile's tower and batch (experiments/mini.yaml): the steps the reproduction runs.</summary>
    public static BenchSize Mini { get; } = new("mini", ClipConfig.Mini.Vision, Batch: 32, Classes: 10, Steps: 30, Warmup: 5,
        MatmulSide: 1024, TaskCounts: [1, 2, 4, 7], Partitions: [10, 160], LoraRank: 16);

    /// <summary>A seconds-long size for tests: it exercises every code path, its numbers mean nothing.</summary>
    public static BenchSize Tiny { get; } = new("tiny",
        new VisionConfig(ImageSize: 14, Channels: 1, PatchSize: 7, Width: 16, Layers: 1, Heads: 2, MlpRatio: 2, EmbedDim: 16),
        Batch: 4, Classes: 3, Steps: 3, Warmup: 1, MatmulSide: 64, TaskCounts: [1, 2], Partitions: [2], LoraRank: 2);

    /// <summary>Every preset, by name.</summary>
    public static IReadOnlyList<BenchSize> Presets { get; } = [Mini, Tiny];

    /// <summary>The preset called <paramref name="name"/>.</summary>
    public static BenchSize Get(string name) =>
        Presets.FirstOrDefault(size => size.Name == name)
        ?? throw new ArgumentException($"Unknown bench size '{name}'. Known sizes: {string.Join(", ", Presets.Select(size => size.Name))}.");

    /// <summary>The pool size of the A/B aTLAS step.</summary>
    public int FullPool => TaskCounts.Max();
}

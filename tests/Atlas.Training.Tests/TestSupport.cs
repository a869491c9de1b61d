using Atlas.Method.Composition;
using Atlas.Models;
using Atlas.Training;
using static TorchSharp.torch;

namespace Atlas.Training.Tests;

/// <summary>Tiny backbone and helpers shared by the training tests.</summary>
internal static class TestSupport
{
    /// <summary>A 14×14 greyscale CLIP with 5 image tokens, one- and two-block towers and a 16-dim embedding: a full
    /// training step takes milliseconds.</summary>
    public static ClipConfig Tiny { get; } = ClipConfig.Mini with
    {
        Name = "tiny",
        Vision = new VisionConfig(ImageSize: 14, Channels: 1, PatchSize: 7, Width: 32, Layers: 2, Heads: 2, MlpRatio: 2, EmbedDim: 16),
        Text = new TextConfig(ContextLength: 8, VocabSize: 256, Width: 32, Layers: 1, Heads: 2, MlpRatio: 2, EmbedDim: 16),
    };

    public static TrainingProgress Silent(long steps) => new("test", steps, TextWriter.Null);

    public static Dictionary<string, Tensor> VisualWeights(long seed) =>
        ClipInitializer.Initialize(Tiny, seed)
            .Where(p => p.Key.StartsWith(ClipParameterNames.VisualPrefix, StringComparison.Ordinal))
            .ToDictionary();

    /// <summary>θ0 of the tiny tower (seed 11) and a pool of task vectors, one per seed: 0.1 × (another initialisation − θ0).</summary>
    public static (Dictionary<string, Tensor> Pretrained, TaskVectorPool Pool) TinyPool(params long[] vectorSeeds)
    {
        var pretrained = VisualWeights(seed: 11);
        var blocks = ClipParameterNames.Visual(Tiny);
        var vectors = vectorSeeds.Select(seed =>
        {
            var other = VisualWeights(seed);
            return ($"task{seed}", (IReadOnlyDictionary<string, Tensor>)blocks.ToDictionary(b => b, b => (other[b] - pretrained[b]) * 0.1));
        }).ToList();
        return (pretrained, new TaskVectorPool(pretrained, blocks, vectors));
    }

    public static Dictionary<string, Tensor> DeepCopy(IReadOnlyDictionary<string, Tensor> tensors) =>
        tensors.ToDictionary(p => p.Key, p => p.Value.detach().clone().DetachFromDisposeScope());

    public static void AssertAllIdentical(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Keys.OrderBy(k => k, StringComparer.Ordinal), actual.Keys.OrderBy(k => k, StringComparer.Ordinal));
        foreach (var (name, tensor) in expected) Assert.True(TensorAssert.Identical(tensor, actual[name]), $"'{name}' differs");
    }

    public static double[] Doubles(Tensor t) => t.to_type(ScalarType.Float64).data<double>().ToArray();
}

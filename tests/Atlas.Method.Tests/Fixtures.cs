using Atlas.Method.Composition;
using Atlas.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Method.Tests;

/// <summary>A tiny CLIP image tower (8×8 greyscale, 2 blocks of width 16: 32 visual blocks) and random task vectors.</summary>
internal static class Fixtures
{
    public static ClipConfig Tiny { get; } = ClipConfig.Mini with
    {
        Name = "tiny",
        Vision = new VisionConfig(ImageSize: 8, Channels: 1, PatchSize: 4, Width: 16, Layers: 2, Heads: 2, MlpRatio: 2, EmbedDim: 8),
        Text = new TextConfig(ContextLength: 4, VocabSize: 16, Width: 16, Layers: 1, Heads: 2, MlpRatio: 2, EmbedDim: 8),
    };

    public static IReadOnlyList<string> Blocks { get; } = ClipParameterNames.Visual(Tiny);

    /// <summary>θ0: the visual weights of a seeded initialisation.</summary>
    public static Dictionary<string, Tensor> Pretrained(long seed = 1) =>
        ClipInitializer.Initialize(Tiny, seed)
            .Where(p => p.Key.StartsWith(ClipParameterNames.VisualPrefix, StringComparison.Ordinal))
            .ToDictionary();

    /// <summary>A task vector with entries of scale <paramref name="scale"/> for every block of θ0.</summary>
    public static Dictionary<string, Tensor> RandomTaskVector(IReadOnlyDictionary<string, Tensor> pretrained, long seed, double scale = 0.05)
    {
        using var generator = new Generator((ulong)seed);
        return pretrained.ToDictionary(p => p.Key, p => (randn(p.Value.shape, generator: generator) * scale).DetachFromDisposeScope());
    }

    public static TaskVectorPool Pool(IReadOnlyDictionary<string, Tensor> pretrained, params Dictionary<string, Tensor>[] vectors) =>
        new(pretrained, Blocks, [.. vectors.Select((v, i) => ($"task{i}", (IReadOnlyDictionary<string, Tensor>)v))]);

    public static Tensor Images(long seed, int count = 3)
    {
        using var generator = new Generator((ulong)seed);
        return randn([count, 1, 8, 8], generator: generator);
    }

    public static Tensor Encode(Tensor images, IReadOnlyDictionary<string, Tensor> weights) =>
        ClipForward.EncodeImage(images, weights, Tiny.Vision);

    public static Dictionary<string, Tensor> DeepCopy(IReadOnlyDictionary<string, Tensor> tensors) =>
        tensors.ToDictionary(p => p.Key, p => p.Value.detach().clone());

    public static void AssertAllIdentical(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (name, tensor) in expected) Assert.True(TensorAssert.Identical(tensor, actual[name]), $"'{name}' differs");
    }

    public static float[] Floats(Tensor t) => t.detach().to(ScalarType.Float32).contiguous().data<float>().ToArray();

    public static double[] Doubles(Tensor t) => t.detach().to(ScalarType.Float64).contiguous().data<double>().ToArray();
}

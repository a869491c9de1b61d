using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Method;

/// <summary>
/// A task vector τ = θ_ft − θ0, keyed by parameter name. Arithmetic is always by name, never by position, so a
/// checkpoint with extra buffers or a different order cannot silently misalign blocks.
/// </summary>
public sealed class TaskVector : IDisposable
{
    private readonly Dictionary<string, Tensor> _deltas;

    private TaskVector(Dictionary<string, Tensor> deltas) => _deltas = deltas;

    /// <summary>The per-parameter differences, in the order of the pretrained dictionary.</summary>
    public IReadOnlyDictionary<string, Tensor> Deltas => _deltas;

    /// <summary>τ = finetuned − pretrained over the parameters named in <paramref name="names"/>.</summary>
    public static TaskVector FromWeights(
        IReadOnlyDictionary<string, Tensor> pretrained,
        IReadOnlyDictionary<string, Tensor> finetuned,
        IEnumerable<string> names)
    {
        var deltas = new Dictionary<string, Tensor>();
        foreach (var name in names)
        {
            var baseWeight = Require(pretrained, name, "pretrained weights");
            var tunedWeight = Require(finetuned, name, "fine-tuned weights");
            CheckShape(name, baseWeight, tunedWeight);
            deltas[name] = (tunedWeight - baseWeight).detach();
        }
        return new TaskVector(deltas);
    }

    /// <summary>Wraps existing deltas (for example loaded from a file); the task vector takes ownership.</summary>
    public static TaskVector FromDeltas(Dictionary<string, Tensor> deltas) => new(deltas);

    /// <summary>θ0 + α·τ for every parameter of τ; parameters τ does not name are passed through unchanged.</summary>
    public Dictionary<string, Tensor> ApplyTo(IReadOnlyDictionary<string, Tensor> pretrained, double scale)
    {
        foreach (var name in _deltas.Keys) CheckShape(name, Require(pretrained, name, "pretrained weights"), _deltas[name]);
        using Scalar alpha = scale.ToScalar();
        return pretrained.ToDictionary(
            pair => pair.Key,
            pair => _deltas.TryGetValue(pair.Key, out var delta) ? (pair.Value + delta * alpha).detach() : pair.Value);
    }

    /// <summary>Sum of the squared entries over all parameters (‖τ‖², accumulated in float64).</summary>
    public double SquaredNorm()
    {
        using var scope = NewDisposeScope();
        return _deltas.Values.Sum(delta => delta.to_type(ScalarType.Float64).square().sum().item<double>());
    }

    public void Dispose()
    {
        foreach (var delta in _deltas.Values) delta.Dispose();
        _deltas.Clear();
    }

    private static Tensor Require(IReadOnlyDictionary<string, Tensor> weights, string name, string what) =>
        weights.TryGetValue(name, out var tensor)
            ? tensor
            : throw new KeyNotFoundException($"parameter '{name}' is missing from the {what}");

    private static void CheckShape(string name, Tensor expected, Tensor actual)
    {
        if (!expected.shape.SequenceEqual(actual.shape))
            throw new ArgumentException(
                $"parameter '{name}': shape [{string.Join(", ", actual.shape)}] does not match [{string.Join(", ", expected.shape)}]");
    }
}

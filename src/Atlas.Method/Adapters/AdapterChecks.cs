using static TorchSharp.torch;

namespace Atlas.Method.Adapters;

/// <summary>Argument checks shared by the adapters.</summary>
internal static class AdapterChecks
{
    internal static string Format(Tensor t) => $"[{string.Join(", ", t.shape)}]";

    internal static Tensor Require(IReadOnlyDictionary<string, Tensor> trained, string name, string adapter) =>
        trained.TryGetValue(name, out var tensor)
            ? tensor
            : throw new KeyNotFoundException($"{adapter}: trainable tensor '{name}' is missing (have: {string.Join(", ", trained.Keys)})");

    /// <summary>Floating [N, d] features.</summary>
    internal static void Features(Tensor features, string name)
    {
        ArgumentNullException.ThrowIfNull(features, name);
        if (features.dim() != 2 || !features.is_floating_point())
            throw new ArgumentException($"features must be a floating [N, d] matrix, got {features.dtype} {Format(features)}", name);
    }

    /// <summary>int64 labels [rows] in [0, classes).</summary>
    internal static void Labels(Tensor labels, int classes, long? rows)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (labels.dim() != 1 || labels.dtype != ScalarType.Int64)
            throw new ArgumentException($"labels must be an int64 vector, got {labels.dtype} {Format(labels)}", nameof(labels));
        if (rows is long n && labels.shape[0] != n)
            throw new ArgumentException($"expected {n} labels (one per feature row), got {labels.shape[0]}", nameof(labels));
        if (labels.numel() == 0) throw new ArgumentException("labels must not be empty", nameof(labels));
        using var scope = NewDisposeScope();
        long min = labels.min().item<long>(), max = labels.max().item<long>();
        if (min < 0 || max >= classes)
            throw new ArgumentOutOfRangeException(nameof(labels), $"labels must lie in [0, {classes}), got values in [{min}, {max}]");
    }
}

using Atlas.Store;
using System.Text;
using System.Text.Json;

namespace Atlas.Data;

/// <summary>
/// Disjoint, ascending image-index lists of one source, one per partition (pretrain, train, val, test). It is a hashed
/// artifact: <see cref="ToJson"/> is canonical and <see cref="ContentSha256"/> is its SHA-256.
/// </summary>
public sealed class SourceSplit
{
    /// <summary>Partition for pre-training the base encoder.</summary>
    public const string Pretrain = "pretrain";

    /// <summary>Partition for fine-tuning and coefficient learning.</summary>
    public const string Train = "train";

    /// <summary>Partition for model selection.</summary>
    public const string Val = "val";

    /// <summary>Partition for reported accuracies.</summary>
    public const string Test = "test";

    private readonly Dictionary<string, int[]> _partitions;

    /// <summary>
    /// Wraps index lists; <paramref name="partitions"/> must hold every name of <see cref="PartitionNames"/>, each
    /// ascending, non-negative and disjoint from the others.
    /// </summary>
    public SourceSplit(string sourceName, ulong seed, IReadOnlyDictionary<string, int[]> partitions)
    {
        var unknown = partitions.Keys.Except(PartitionNames).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException(
                $"Split of '{sourceName}': unknown partition(s) {string.Join(", ", unknown)}; partitions: {string.Join(", ", PartitionNames)}.",
                nameof(partitions));
        }
        var seen = new HashSet<int>();
        _partitions = [];
        foreach (string name in PartitionNames)
        {
            if (!partitions.TryGetValue(name, out int[]? indices))
            {
                throw new ArgumentException($"Split of '{sourceName}': partition '{name}' is missing.", nameof(partitions));
            }
            for (int i = 0; i < indices.Length; i++)
            {
                if (indices[i] < 0 || (i > 0 && indices[i] <= indices[i - 1]))
                {
                    throw new ArgumentException(
                        $"Split of '{sourceName}': partition '{name}' must hold ascending non-negative indices; position {i} holds {indices[i]}.",
                        nameof(partitions));
                }
                if (!seen.Add(indices[i]))
                {
                    throw new ArgumentException(
                        $"Split of '{sourceName}': index {indices[i]} of partition '{name}' is also in an earlier partition.", nameof(partitions));
                }
            }
            _partitions[name] = (int[])indices.Clone();
        }
        SourceName = sourceName;
        Seed = seed;
    }

    /// <summary>Partition names, in canonical order.</summary>
    public static IReadOnlyList<string> PartitionNames { get; } = [Pretrain, Train, Val, Test];

    /// <summary>Source the indices point into.</summary>
    public string SourceName { get; }

    /// <summary>Seed the split was drawn with.</summary>
    public ulong Seed { get; }

    /// <summary>SHA-256 of <see cref="ToJson"/> (UTF-8): the split's artifact hash.</summary>
    public string ContentSha256 => ContentHash.OfBytes(Encoding.UTF8.GetBytes(ToJson()));

    /// <summary>A copy of the ascending indices of <paramref name="partition"/>.</summary>
    public int[] Indices(string partition) =>
        _partitions.TryGetValue(partition, out int[]? indices)
            ? (int[])indices.Clone()
            : throw new ArgumentException(
                $"Unknown partition '{partition}'; partitions: {string.Join(", ", PartitionNames)}.", nameof(partition));

    /// <summary>
    /// Canonical compact JSON: <c>{"source":…,"seed":…,"partitions":{"pretrain":[…],"train":[…],"val":[…],"test":[…]}}</c>,
    /// keys in that order, no whitespace.
    /// </summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("source", SourceName);
            writer.WriteNumber("seed", Seed);
            writer.WriteStartObject("partitions");
            foreach (string name in PartitionNames)
            {
                writer.WriteStartArray(name);
                foreach (int index in _partitions[name])
                {
                    writer.WriteNumberValue(index);
                }
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Reads a split written by <see cref="ToJson"/>; <paramref name="origin"/> names it in error messages.</summary>
    /// <exception cref="InvalidDataException">The JSON is malformed or the index lists are invalid.</exception>
    public static SourceSplit FromJson(string json, string origin)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            var partitions = root.GetProperty("partitions").EnumerateObject()
                .ToDictionary(property => property.Name, property => property.Value.EnumerateArray().Select(index => index.GetInt32()).ToArray());
            return new SourceSplit(root.GetProperty("source").GetString() ?? "", root.GetProperty("seed").GetUInt64(), partitions);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"{origin}: not a valid source split ({e.Message}).", e);
        }
    }
}

using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Atlas.Store;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Stages.Storage;

/// <summary>
/// Reads and writes name→tensor dictionaries in the safetensors format (8-byte little-endian header length, a JSON
/// header of dtype/shape/byte range per name, then the raw bytes), which PyTorch, open_clip and HuggingFace read.
/// Writes are atomic; a truncated or inconsistent file is rejected with a message naming it.
/// </summary>
public static class SafeTensorsFile
{
    private static readonly Dictionary<ScalarType, (string Name, int Size)> DTypes = new()
    {
        [ScalarType.Float32] = ("F32", 4),
        [ScalarType.Float16] = ("F16", 2),
        [ScalarType.BFloat16] = ("BF16", 2),
        [ScalarType.Float64] = ("F64", 8),
        [ScalarType.Int64] = ("I64", 8),
        [ScalarType.Int32] = ("I32", 4),
    };

    /// <summary>Writes the tensors in dictionary order; <paramref name="metadata"/> goes to the header's <c>__metadata__</c>.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
            header["__metadata__"] = new JsonObject(metadata.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value)));
        var payloads = new List<byte[]>();
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            if (!DTypes.TryGetValue(tensor.dtype, out var dtype))
                throw new NotSupportedException($"{path}: tensor '{name}' has unsupported dtype {tensor.dtype}");
            var bytes = ToBytes(tensor);
            header[name] = new JsonObject
            {
                ["dtype"] = dtype.Name,
                ["shape"] = new JsonArray(tensor.shape.Select(d => (JsonNode?)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes.Length),
            };
            payloads.Add(bytes);
            offset += bytes.Length;
        }
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        AtomicFile.Write(path, stream =>
        {
            stream.Write(BitConverter.GetBytes((ulong)headerBytes.Length));
            stream.Write(headerBytes);
            foreach (var payload in payloads) stream.Write(payload);
        });
    }

    /// <summary>Reads every tensor (float tensors as stored; the caller converts if needed).</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: tensor file not found", path);
        using var stream = File.OpenRead(path);
        var header = ReadHeader(path, stream);
        var payload = new byte[stream.Length - stream.Position];
        stream.ReadExactly(payload);
        var result = new Dictionary<string, Tensor>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__") continue;
            var (dtype, shape, begin, end) = Entry(path, name, node);
            long expected = shape.Aggregate(1L, (a, b) => a * b) * DTypes[dtype].Size;
            if (end > payload.Length)
                throw new InvalidDataException($"{path}: truncated: tensor '{name}' ends at byte {end} of a {payload.Length}-byte payload");
            if (end - begin != expected)
                throw new InvalidDataException($"{path}: tensor '{name}' has {end - begin} bytes, its shape needs {expected}");
            result[name] = FromBytes(payload.AsSpan((int)begin, (int)expected), dtype, shape);
        }
        return result;
    }

    /// <summary>Each tensor's name, dtype and shape from the header alone (file order), with the same checks as
    /// <see cref="Load"/> (a truncated file or a byte range that does not fit the shape is refused), so a large
    /// checkpoint can be checked against a configuration without reading its payload.</summary>
    public static IReadOnlyList<(string Name, ScalarType DType, long[] Shape)> ReadEntries(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: tensor file not found", path);
        using var stream = File.OpenRead(path);
        var header = ReadHeader(path, stream);
        long payloadLength = stream.Length - stream.Position;
        var entries = new List<(string Name, ScalarType DType, long[] Shape)>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__") continue;
            var (dtype, shape, begin, end) = Entry(path, name, node);
            long expected = shape.Aggregate(1L, (a, b) => a * b) * DTypes[dtype].Size;
            if (end > payloadLength)
                throw new InvalidDataException($"{path}: truncated: tensor '{name}' ends at byte {end} of a {payloadLength}-byte payload");
            if (end - begin != expected)
                throw new InvalidDataException($"{path}: tensor '{name}' has {end - begin} bytes, its shape needs {expected}");
            entries.Add((name, dtype, shape));
        }
        return entries;
    }

    /// <summary>Reads the header's <c>__metadata__</c> strings without loading tensors.</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        using var stream = File.OpenRead(path);
        var metadata = ReadHeader(path, stream)["__metadata__"];
        if (metadata is null) return new Dictionary<string, string>();
        if (metadata is not JsonObject entries || entries.Any(e => e.Value is not JsonValue value || value.GetValueKind() != JsonValueKind.String))
            throw new InvalidDataException($"{path}: __metadata__ must map names to strings");
        return entries.ToDictionary(m => m.Key, m => m.Value!.GetValue<string>());
    }

    /// <summary>Reads and checks the length-prefixed JSON header; leaves the stream at the first payload byte.</summary>
    private static JsonObject ReadHeader(string path, Stream stream)
    {
        if (stream.Length < 8) throw new InvalidDataException($"{path}: truncated (only {stream.Length} bytes)");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BitConverter.ToUInt64(lengthBytes);
        if (headerLength > (ulong)(stream.Length - 8))
            throw new InvalidDataException($"{path}: truncated or not a safetensors file (header of {headerLength} bytes, file of {stream.Length})");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        try
        {
            return JsonNode.Parse(headerBytes) as JsonObject
                ?? throw new InvalidDataException($"{path}: safetensors header is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: corrupt safetensors header: {e.Message}");
        }
    }

    /// <summary>One header entry, checked: known dtype, non-negative shape, and a byte range inside the payload order.</summary>
    private static (ScalarType DType, long[] Shape, long Begin, long End) Entry(string path, string name, JsonNode? node)
    {
        try
        {
            var entry = node!.AsObject();
            var dtypeName = entry["dtype"]!.GetValue<string>();
            var dtype = DTypes.FirstOrDefault(d => d.Value.Name == dtypeName);
            if (dtype.Value.Name is null) throw new InvalidDataException($"{path}: tensor '{name}' has unsupported dtype {dtypeName}");
            var shape = entry["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
            var range = entry["data_offsets"]!.AsArray().Select(o => o!.GetValue<long>()).ToArray();
            if (range.Length != 2 || range[0] < 0 || range[1] < range[0] || shape.Any(d => d < 0))
                throw new InvalidDataException($"{path}: tensor '{name}' has an invalid shape or byte range");
            return (dtype.Key, shape, range[0], range[1]);
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: tensor '{name}' has a malformed header entry ({e.Message})");
        }
    }

    private static byte[] ToBytes(Tensor tensor)
    {
        using var contiguous = tensor.detach().cpu().contiguous();
        var bytes = new byte[contiguous.NumberOfElements * contiguous.ElementSize];
        contiguous.bytes.CopyTo(bytes);
        return bytes;
    }

    private static Tensor FromBytes(ReadOnlySpan<byte> bytes, ScalarType dtype, long[] shape)
    {
        var tensor = empty(shape, dtype);
        bytes.CopyTo(tensor.bytes);
        return tensor;
    }
}

using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Atlas.Stages.Storage;
using Atlas.Stages.Tests.Support;
using static TorchSharp.torch;

namespace Atlas.Stages.Tests;

/// <summary>The safetensors reader and writer: exact round trips, the format's layout, and clear refusals of damaged files.</summary>
public sealed class SafeTensorsFileTests : IDisposable
{
    private readonly TempRepository folder = new();

    private string File(string name) => Path.Combine(folder.Root, name);

    public void Dispose() => folder.Dispose();

    private static Dictionary<string, Tensor> Sample()
    {
        using var generator = new Generator(42);
        return new Dictionary<string, Tensor>
        {
            ["visual.proj"] = randn([3, 5], generator: generator),
            ["half"] = randn([2, 2, 3], generator: generator).to_type(ScalarType.Float16),
            ["steps"] = tensor(new long[] { 0, -1, 1L << 40, long.MaxValue, long.MinValue, 7 }).view(2, 3),
            ["scalar"] = tensor(3.25f),
            ["empty"] = zeros([0, 4]),
        };
    }

    [Fact]
    public void Round_trips_F32_F16_I64_and_metadata_exactly()
    {
        var tensors = Sample();
        var metadata = new Dictionary<string, string> { ["task"] = "mnist", ["history"] = "[{\"step\":1,\"loss\":0.5}]", ["unicode"] = "θ0 → τ" };
        string path = File("weights.safetensors");
        SafeTensorsFile.Save(path, tensors, metadata);

        var loaded = SafeTensorsFile.Load(path);
        Assert.Equal(tensors.Keys, loaded.Keys);
        foreach (var (name, expected) in tensors)
        {
            var actual = loaded[name];
            Assert.Equal(expected.dtype, actual.dtype);
            Assert.Equal(expected.shape, actual.shape);
            Assert.True(expected.bytes.SequenceEqual(actual.bytes), $"{name} differs after the round trip");
        }
        Assert.Equal(metadata.OrderBy(m => m.Key), SafeTensorsFile.ReadMetadata(path).OrderBy(m => m.Key));

        // Saving what was loaded gives the same bytes.
        string again = File("again.safetensors");
        SafeTensorsFile.Save(again, loaded, metadata);
        Assert.Equal(System.IO.File.ReadAllBytes(path), System.IO.File.ReadAllBytes(again));
    }

    [Fact]
    public void Layout_is_the_safetensors_format()
    {
        string path = File("weights.safetensors");
        SafeTensorsFile.Save(path, Sample(), new Dictionary<string, string> { ["k"] = "v" });
        var bytes = System.IO.File.ReadAllBytes(path);

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength))!.AsObject();
        Assert.Equal("v", header["__metadata__"]!["k"]!.GetValue<string>());
        Assert.Equal("F32", header["visual.proj"]!["dtype"]!.GetValue<string>());
        Assert.Equal("F16", header["half"]!["dtype"]!.GetValue<string>());
        Assert.Equal("I64", header["steps"]!["dtype"]!.GetValue<string>());
        Assert.Equal([2L, 3L], header["steps"]!["shape"]!.AsArray().Select(d => d!.GetValue<long>()));
        Assert.Empty(header["scalar"]!["shape"]!.AsArray());

        // Contiguous, in write order, ending exactly at the end of the file.
        long expectedOffset = 0;
        foreach (var (name, size) in new[] { ("visual.proj", 15 * 4), ("half", 12 * 2), ("steps", 6 * 8), ("scalar", 4), ("empty", 0) })
        {
            var offsets = header[name]!["data_offsets"]!.AsArray().Select(o => o!.GetValue<long>()).ToArray();
            Assert.Equal([expectedOffset, expectedOffset + size], offsets);
            expectedOffset += size;
        }
        Assert.Equal(8 + (long)headerLength + expectedOffset, bytes.LongLength);
        // Little-endian IEEE float32 payload: the scalar 3.25 sits at its offset.
        Assert.Equal(3.25f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + (int)headerLength + 15 * 4 + 12 * 2 + 6 * 8)));
    }

    [Fact]
    public void Truncated_file_is_refused_naming_it()
    {
        string path = File("weights.safetensors");
        SafeTensorsFile.Save(path, Sample());
        var bytes = System.IO.File.ReadAllBytes(path);
        System.IO.File.WriteAllBytes(path, bytes[..^5]);

        var error = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("truncated", error.Message);

        System.IO.File.WriteAllBytes(path, bytes[..5]);
        error = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Load(path));
        Assert.Contains(path, error.Message);
    }

    [Theory]
    [InlineData(ulong.MaxValue)]
    [InlineData(1UL << 40)]
    [InlineData(3UL)]
    public void Garbage_header_length_is_refused_naming_the_file(ulong headerLength)
    {
        string path = File("weights.safetensors");
        SafeTensorsFile.Save(path, Sample());
        var bytes = System.IO.File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength);
        System.IO.File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Load(path));
        Assert.Contains(path, error.Message);
    }

    [Theory]
    [InlineData(ulong.MaxValue)]
    [InlineData(1UL << 40)]
    [InlineData(3UL)]
    public void Garbage_header_length_is_refused_by_read_metadata_naming_the_file(ulong headerLength)
    {
        string path = File("weights.safetensors");
        SafeTensorsFile.Save(path, Sample(), new Dictionary<string, string> { ["k"] = "v" });
        var bytes = System.IO.File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength);
        System.IO.File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.ReadMetadata(path));
        Assert.Contains(path, error.Message);
    }
}

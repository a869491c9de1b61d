using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Atlas.Cli.Tests;

/// <summary>
/// atlas embed on the parity fixture (tests/Atlas.Models.Tests/Fixtures/parity/, made by make_parity.py with Debian's
/// python3-torch 1.13 from an independent PyTorch CLIP, not transformers): its pixels, token ids and texts give the
/// golden embeddings to 1e-4; bad inputs fail naming the file and the tensor and write nothing. Safetensors are read and
/// written byte by byte here (this assembly loads no TorchSharp).
/// </summary>
public sealed class EmbedVerbTests(ITestOutputHelper output) : CliTestFolder
{
    private const double Tolerance = 1e-4;

    private static readonly string Parity = Path.Combine(RepositoryRoot.Path, "tests", "Atlas.Models.Tests", "Fixtures", "parity");

    private static string Fixture(string name) => Path.Combine(Parity, name);

    /// <summary>An F32 tensor of a safetensors file: shape and values.</summary>
    private static (long[] Shape, float[] Values) ReadF32(string path, string name)
    {
        var bytes = File.ReadAllBytes(path);
        int length = (int)BitConverter.ToUInt64(bytes, 0);
        var header = JsonNode.Parse(bytes.AsSpan(8, length))!.AsObject();
        var entry = header[name] ?? throw new KeyNotFoundException($"{path}: no tensor '{name}'");
        Assert.Equal("F32", entry["dtype"]!.GetValue<string>());
        long begin = entry["data_offsets"]![0]!.GetValue<long>(), end = entry["data_offsets"]![1]!.GetValue<long>();
        var values = new float[(end - begin) / 4];
        Buffer.BlockCopy(bytes, 8 + length + (int)begin, values, 0, (int)(end - begin));
        return ([.. entry["shape"]!.AsArray().Select(d => d!.GetValue<long>())], values);
    }

    private static IReadOnlyList<string> TensorNames(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int length = (int)BitConverter.ToUInt64(bytes, 0);
        return [.. JsonNode.Parse(bytes.AsSpan(8, length))!.AsObject().Select(e => e.Key).Where(k => k != "__metadata__")];
    }

    private static void WriteF32(string path, string name, long[] shape)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        var header = new JsonObject
        {
            [name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(shape.Select(d => (JsonNode?)d).ToArray()),
                ["data_offsets"] = new JsonArray(0, 4 * count),
            },
        };
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        using var file = File.Create(path);
        file.Write(BitConverter.GetBytes((ulong)headerBytes.Length));
        file.Write(headerBytes);
        file.Write(new byte[4 * count]);
    }

    /// <summary>Max |actual − golden| over the golden's rows <paramref name="rows"/> (all rows when null).</summary>
    private static double MaxAbsDiff((long[] Shape, float[] Values) actual, (long[] Shape, float[] Values) golden, int[]? rows = null)
    {
        int width = (int)golden.Shape[1];
        rows ??= [.. Enumerable.Range(0, (int)golden.Shape[0])];
        Assert.Equal([rows.Length, width], actual.Shape);
        double max = 0;
        for (int r = 0; r < rows.Length; r++)
            for (int j = 0; j < width; j++)
                max = Math.Max(max, Math.Abs(actual.Values[r * width + j] - golden.Values[rows[r] * width + j]));
        return max;
    }

    [Fact]
    public void Embed_pixels_and_tokens_writes_the_golden_embeddings()
    {
        var result = Atlas("embed", "--model", Fixture("config.json"), "--checkpoint", Fixture("model.safetensors"),
            "--pixels", Fixture("inputs.safetensors"), "--tokens", Fixture("inputs.safetensors"), "--out", "embeds.safetensors");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("wrote image_embeds [3, 16], text_embeds [4, 16] to embeds.safetensors", result.Out);
        string written = folder.File("embeds.safetensors");
        Assert.Equal(["image_embeds", "text_embeds"], TensorNames(written));
        double image = MaxAbsDiff(ReadF32(written, "image_embeds"), ReadF32(Fixture("outputs.safetensors"), "image_embeds"));
        double text = MaxAbsDiff(ReadF32(written, "text_embeds"), ReadF32(Fixture("outputs.safetensors"), "text_embeds"));
        output.WriteLine($"atlas embed: image_embeds max |diff| {image:e2}, text_embeds {text:e2}");
        Assert.True(image < Tolerance, $"image_embeds differ by {image}");
        Assert.True(text < Tolerance, $"text_embeds differ by {text}");
    }

    [Fact]
    public void Embed_text_with_gelu_config_and_open_clip_weights_uses_the_vocabulary_beside_the_checkpoint()
    {
        // input_ids rows 0, 1 and 3 of the fixture are these texts under transformers' test vocabulary.
        var result = Atlas("embed", "--model", Fixture("config_gelu.json"), "--checkpoint", Fixture("open_clip_model.safetensors"),
            "--text", "lower newer", "--text", "LOWER", "--text", "", "--out", "text.safetensors");

        Assert.True(result.ExitCode == 0, result.ToString());
        string written = folder.File("text.safetensors");
        Assert.Equal(["text_embeds"], TensorNames(written));
        double text = MaxAbsDiff(ReadF32(written, "text_embeds"), ReadF32(Fixture("outputs_gelu.safetensors"), "text_embeds"), [0, 1, 3]);
        output.WriteLine($"atlas embed --text: text_embeds max |diff| {text:e2}");
        Assert.True(text < Tolerance, $"text_embeds differ by {text}");
    }

    [Fact]
    public void Embed_text_beside_a_checkpoint_without_tokenizer_files_needs_vocab()
    {
        File.Copy(Fixture("model_fp16.safetensors"), folder.File("model.safetensors"));
        Directory.CreateDirectory(folder.File("tokenizer"));
        ClipVocabularyFiles.WriteHuggingFaceExample(folder.File("tokenizer"));
        string[] common = ["embed", "--model", Fixture("config.json"), "--checkpoint", "model.safetensors", "--text", "lower"];

        var without = Atlas([.. common, "--out", "a.safetensors"]);
        var with = Atlas([.. common, "--vocab", "tokenizer", "--out", "b.safetensors"]);

        Assert.True(without.ExitCode == 1, without.ToString());
        Assert.Contains($"{folder.Path}: holds neither vocab.json + merges.txt nor bpe_simple_vocab_16e6.txt.gz", without.Error);
        Assert.False(File.Exists(folder.File("a.safetensors")));
        Assert.True(with.ExitCode == 0, with.ToString());
        double text = MaxAbsDiff(ReadF32(folder.File("b.safetensors"), "text_embeds"), ReadF32(Fixture("outputs.safetensors"), "text_embeds"), [1]);
        Assert.True(text < Tolerance, $"text_embeds differ by {text}");
    }

    [Fact]
    public void Embed_with_mis_shaped_pixels_names_file_and_tensor_and_writes_nothing()
    {
        WriteF32(folder.File("pixels.safetensors"), "pixel_values", [1, 3, 28, 28]);

        var result = Atlas("embed", "--model", Fixture("config.json"), "--checkpoint", Fixture("model.safetensors"),
            "--pixels", "pixels.safetensors", "--out", "embeds.safetensors");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal($"error: {folder.File("pixels.safetensors")}: tensor 'pixel_values' is [1, 3, 28, 28], config 'config' needs [N, 3, 32, 32]",
            result.Error.TrimEnd());
        Assert.False(File.Exists(folder.File("embeds.safetensors")));
    }

    [Fact]
    public void Embed_with_float_tokens_names_the_tensor_and_its_dtype()
    {
        WriteF32(folder.File("tokens.safetensors"), "input_ids", [2, 16]);

        var result = Atlas("embed", "--model", Fixture("config.json"), "--checkpoint", Fixture("model.safetensors"),
            "--tokens", "tokens.safetensors", "--out", "embeds.safetensors");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"{folder.File("tokens.safetensors")}: tensor 'input_ids' is Float32, expected Int64", result.Error);
        Assert.False(File.Exists(folder.File("embeds.safetensors")));
    }

    [Fact]
    public void Embed_needs_exactly_one_text_source_and_something_to_embed()
    {
        string[] common = ["embed", "--model", Fixture("config.json"), "--checkpoint", Fixture("model.safetensors"), "--out", "e.safetensors"];

        var nothing = Atlas(common);
        var both = Atlas([.. common, "--text", "lower", "--tokens", Fixture("inputs.safetensors")]);

        Assert.NotEqual(0, nothing.ExitCode);
        Assert.Contains("give --pixels, --images, --text or --tokens", nothing.Error);
        Assert.NotEqual(0, both.ExitCode);
        Assert.Contains("give --text or --tokens, not both", both.Error);
        Assert.False(File.Exists(folder.File("e.safetensors")));
    }

    [Fact]
    public void Embed_with_a_bad_configuration_file_names_file_and_field()
    {
        File.WriteAllText(folder.File("bad.json"), File.ReadAllText(Fixture("config.json")).Replace("\"quick_gelu\"", "\"relu\"", StringComparison.Ordinal));

        var result = Atlas("embed", "--model", "bad.json", "--checkpoint", Fixture("model.safetensors"),
            "--pixels", Fixture("inputs.safetensors"), "--out", "embeds.safetensors");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("error: bad.json: field 'vision_config.hidden_act': 'relu' is not supported (quick_gelu or gelu)", result.Error.TrimEnd());
        Assert.False(File.Exists(folder.File("embeds.safetensors")));
    }

    /// <summary>A binary P6 file whose pixel (x, y) is (<paramref name="seed"/> + 7x + 3y, 2x + 5y, 255 − x − y) mod 256.</summary>
    private static byte[] WritePpm(string path, int seed, int side)
    {
        var pixels = new byte[side * side * 3];
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
            {
                int i = 3 * (y * side + x);
                pixels[i] = (byte)((seed + 7 * x + 3 * y) % 256);
                pixels[i + 1] = (byte)((2 * x + 5 * y) % 256);
                pixels[i + 2] = (byte)((255 - x - y + 256) % 256);
            }
        using var file = File.Create(path);
        file.Write(Encoding.ASCII.GetBytes($"P6\n{side} {side}\n255\n"));
        file.Write(pixels);
        return pixels;
    }

    [Fact]
    public void Embed_images_preprocesses_files_in_name_order_and_embeds_them_as_their_pixels_do()
    {
        // 32×32 files for a 32-pixel model: CLIP's resize and centre crop leave them as they are, so pixel_values is
        // (byte / 255 − mean) / std with OpenAI CLIP's statistics, worked here per pixel.
        string images = Path.Combine(folder.Path, "images");
        Directory.CreateDirectory(images);
        var second = WritePpm(Path.Combine(images, "b.ppm"), 100, 32);
        var first = WritePpm(Path.Combine(images, "a.ppm"), 0, 32);
        File.WriteAllText(Path.Combine(images, "notes.txt"), "not an image");

        var result = Atlas("embed", "--model", Fixture("config.json"), "--checkpoint", Fixture("model.safetensors"),
            "--images", "images", "--out", "from-images.safetensors");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["image_embeds", "pixel_values"], TensorNames(Path.Combine(folder.Path, "from-images.safetensors")).Order());
        var pixelValues = ReadF32(Path.Combine(folder.Path, "from-images.safetensors"), "pixel_values");
        Assert.Equal([2L, 3, 32, 32], pixelValues.Shape);
        double[] mean = [0.48145466, 0.4578275, 0.40821073], std = [0.26862954, 0.26130258, 0.27577711];
        double worst = 0;
        foreach (var (image, bytes) in new[] { (0, first), (1, second) })
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < 32 * 32; p++)
                {
                    double expected = (bytes[3 * p + c] / 255.0 - mean[c]) / std[c];
                    worst = Math.Max(worst, Math.Abs(pixelValues.Values[((image * 3) + c) * 1024 + p] - expected));
                }
        Assert.True(worst < 1e-5, $"pixel_values differ from the hand-worked normalisation by {worst}");

        // The written pixel_values, fed back through --pixels, give the same embeddings.
        var again = Atlas("embed", "--model", Fixture("config.json"), "--checkpoint", Fixture("model.safetensors"),
            "--pixels", "from-images.safetensors", "--out", "from-pixels.safetensors");
        Assert.True(again.ExitCode == 0, again.ToString());
        var fromImages = ReadF32(Path.Combine(folder.Path, "from-images.safetensors"), "image_embeds");
        Assert.Equal(0.0, MaxAbsDiff(ReadF32(Path.Combine(folder.Path, "from-pixels.safetensors"), "image_embeds"), fromImages));

        var both = Atlas("embed", "--model", Fixture("config.json"), "--checkpoint", Fixture("model.safetensors"),
            "--images", "images", "--pixels", "from-images.safetensors", "--out", "both.safetensors");
        Assert.NotEqual(0, both.ExitCode);
        Assert.Contains("--pixels or --images", both.ToString());
    }
}

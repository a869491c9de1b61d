using Atlas.Models;
using Atlas.Stages.Checkpoints;
using Atlas.Stages.Storage;
using Atlas.Testing;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Atlas.Stages.Tests.Checkpoints;

/// <summary>
/// Parity with CLIP's published architecture: the goldens in tests/Atlas.Models.Tests/Fixtures/parity/ (made by
/// make_parity.py with Debian's python3-torch 1.13 from an independent PyTorch implementation, not transformers) are
/// loaded the way users load real CLIP — the Hugging Face config.json through <see cref="ClipConfigFile"/>, the
/// checkpoint through <see cref="ClipCheckpoint"/> — into <see cref="ClipModel"/>, whose embeddings must match to 1e-4.
/// Also the input checks of <see cref="ClipEmbedding"/> (atlas embed), which name the file and the tensor.
/// </summary>
public sealed class ClipParityTests(ITestOutputHelper output) : IDisposable
{
    private const double Tolerance = 1e-4;

    private static readonly string Parity = Path.Combine(RepositoryRoot.Path, "tests", "Atlas.Models.Tests", "Fixtures", "parity");

    private readonly TempDirectory folder = new();

    public void Dispose() => folder.Dispose();

    private static string Fixture(string name) => Path.Combine(Parity, name);

    private static double MaxAbsDiff(Tensor a, Tensor b)
    {
        Assert.Equal(b.shape, a.shape);
        using var scope = NewDisposeScope();
        using Scalar minusOne = (-1).ToScalar();
        return a.add(b, minusOne).abs().max().item<float>();
    }

    [Theory]
    [InlineData("config.json", "model.safetensors", "outputs.safetensors")]
    [InlineData("config_gelu.json", "model.safetensors", "outputs_gelu.safetensors")]
    [InlineData("config.json", "model_fp16.safetensors", "outputs.safetensors")]
    [InlineData("config.json", "open_clip_model.safetensors", "outputs.safetensors")]
    public void Checkpoint_loaded_into_clip_model_reproduces_the_golden_embeddings(string configFile, string checkpoint, string outputs)
    {
        using var scope = NewDisposeScope();
        var config = ClipConfigFile.Load(Fixture(configFile));
        var inputs = SafeTensorsFile.Load(Fixture("inputs.safetensors"));
        var golden = SafeTensorsFile.Load(Fixture(outputs));
        using var model = new ClipModel(config, ClipCheckpoint.Load(Fixture(checkpoint), config));

        using var inference = no_grad();
        var image = model.forward(inputs["pixel_values"]);
        var text = model.EncodeText(inputs["input_ids"]);

        double imageDiff = MaxAbsDiff(image, golden["image_embeds"]), textDiff = MaxAbsDiff(text, golden["text_embeds"]);
        output.WriteLine($"{configFile} + {checkpoint}: image_embeds max |diff| {imageDiff:e2}, text_embeds {textDiff:e2}");
        Assert.True(imageDiff < Tolerance, $"image_embeds differ by {imageDiff}");
        Assert.True(textDiff < Tolerance, $"text_embeds differ by {textDiff}");

        // CLIPModel's logits: exp(logit_scale) · cosine similarity, from the project's embeddings and loaded logit_scale.
        var imageUnit = image / image.norm(1, keepdim: true);
        var textUnit = text / text.norm(1, keepdim: true);
        var logits = model.Weights()[ClipParameterNames.LogitScale].exp() * imageUnit.matmul(textUnit.t());
        double logitsDiff = MaxAbsDiff(logits, golden["logits_per_image"]);
        output.WriteLine($"logits_per_image max |diff| {logitsDiff:e2}");
        Assert.True(logitsDiff < 10 * Tolerance, $"logits_per_image differ by {logitsDiff}"); // ×exp(2.66) ≈ 14.3
    }

    [Fact]
    public void Hugging_face_config_json_reads_as_the_fixture_sizes_and_activations()
    {
        var quick = ClipConfigFile.Load(Fixture("config.json"));
        var gelu = ClipConfigFile.Load(Fixture("config_gelu.json"));

        // Sizes written out from make_parity.py's VISION / TEXT dictionaries.
        Assert.Equal(new VisionConfig(ImageSize: 32, Channels: 3, PatchSize: 8, Width: 32, Layers: 2, Heads: 4, MlpRatio: 4, EmbedDim: 16,
            MlpActivation.QuickGelu), quick.Vision);
        Assert.Equal(new TextConfig(ContextLength: 16, VocabSize: 23, Width: 24, Layers: 2, Heads: 4, MlpRatio: 4, EmbedDim: 16,
            MlpActivation.QuickGelu), quick.Text);
        Assert.Equal(MlpActivation.Gelu, gelu.Vision.Activation);
        Assert.Equal(MlpActivation.Gelu, gelu.Text.Activation);
    }

    [Fact]
    public void Fp16_and_open_clip_copies_load_as_the_same_tensors_as_the_fp32_hugging_face_file()
    {
        using var scope = NewDisposeScope();
        var config = ClipConfigFile.Load(Fixture("config.json"));
        var reference = ClipCheckpoint.Load(Fixture("model.safetensors"), config);
        foreach (var copy in new[] { "model_fp16.safetensors", "open_clip_model.safetensors" })
        {
            var loaded = ClipCheckpoint.Load(Fixture(copy), config);
            Assert.Equal(reference.Keys, loaded.Keys);
            foreach (var (name, tensor) in reference) Assert.True(TensorAssert.Identical(tensor, loaded[name]), $"{copy}: {name}");
        }
    }

    [Fact]
    public void Embed_writes_image_and_text_embeddings_matching_the_goldens()
    {
        var config = ClipConfigFile.Load(Fixture("config.json"));
        string outputFile = folder.File("embeds.safetensors");

        var written = ClipEmbedding.Run(config, Fixture("model.safetensors"), Fixture("inputs.safetensors"), Fixture("inputs.safetensors"),
            texts: null, vocabulary: null, outputFile);

        Assert.Equal(["image_embeds", "text_embeds"], written.Select(w => w.Name));
        using var scope = NewDisposeScope();
        var embeds = SafeTensorsFile.Load(outputFile);
        var golden = SafeTensorsFile.Load(Fixture("outputs.safetensors"));
        Assert.True(MaxAbsDiff(embeds["image_embeds"], golden["image_embeds"]) < Tolerance);
        Assert.True(MaxAbsDiff(embeds["text_embeds"], golden["text_embeds"]) < Tolerance);
        Assert.Equal("config", SafeTensorsFile.ReadMetadata(outputFile)[CheckpointConversion.ConfigMetadataKey]);
    }

    [Fact]
    public void Embed_tokenises_texts_with_the_vocabulary_beside_the_checkpoint()
    {
        var config = ClipConfigFile.Load(Fixture("config.json"));
        string outputFile = folder.File("embeds.safetensors");

        // input_ids rows 0, 1 and 3 are these texts under transformers' test vocabulary (vocab.json + merges.txt beside the model).
        ClipEmbedding.Run(config, Fixture("model.safetensors"), pixelsFile: null, tokensFile: null, ["lower newer", "lower", ""],
            vocabulary: null, outputFile);

        using var scope = NewDisposeScope();
        var embeds = SafeTensorsFile.Load(outputFile);
        Assert.False(embeds.ContainsKey("image_embeds"));
        var golden = SafeTensorsFile.Load(Fixture("outputs.safetensors"))["text_embeds"].index_select(0, tensor(new long[] { 0, 1, 3 }));
        Assert.True(MaxAbsDiff(embeds["text_embeds"], golden) < Tolerance);
    }

    public static TheoryData<string, Func<Tensor>, string> BadInputs => new()
    {
        { "pixels", () => ones(2, 3, 32, 32, ScalarType.Float64), "tensor 'pixel_values' is Float64, expected Float32" },
        { "pixels", () => ones(2, 3, 28, 28), "tensor 'pixel_values' is [2, 3, 28, 28], config 'config' needs [N, 3, 32, 32]" },
        { "pixels", () => ones(2, 3, 32, 32).unsqueeze(0), "tensor 'pixel_values' is [1, 2, 3, 32, 32]" },
        { "tokens", () => ones(2, 16, ScalarType.Int32), "tensor 'input_ids' is Int32, expected Int64" },
        { "tokens", () => ones(2, 17, ScalarType.Int64), "tensor 'input_ids' is [2, 17], config 'config' needs [N, L] with 1 ≤ L ≤ 16" },
        { "tokens", () => tensor(Enumerable.Repeat(23L, 32).ToArray()).reshape(2, 16), "tensor 'input_ids' holds ids 23…23, outside the vocabulary of config 'config' (0…22)" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Embed_refuses_a_bad_input_tensor_naming_file_and_tensor_and_writes_nothing(string kind, Func<Tensor> make, string message)
    {
        var config = ClipConfigFile.Load(Fixture("config.json"));
        string input = folder.File("input.safetensors"), outputFile = folder.File("embeds.safetensors");
        using (var bad = make()) SafeTensorsFile.Save(input, new Dictionary<string, Tensor> { [kind == "pixels" ? "pixel_values" : "input_ids"] = bad });

        var error = Assert.Throws<InvalidDataException>(() => ClipEmbedding.Run(config, Fixture("model.safetensors"),
            kind == "pixels" ? input : null, kind == "tokens" ? input : null, texts: null, vocabulary: null, outputFile));

        Assert.StartsWith($"{input}: {message}", error.Message);
        Assert.False(File.Exists(outputFile));
    }

    [Fact]
    public void Embed_refuses_a_file_without_the_tensor_listing_what_it_holds()
    {
        var config = ClipConfigFile.Load(Fixture("config.json"));
        string outputFile = folder.File("embeds.safetensors");

        // inputs.safetensors has input_ids; as a pixels file it lacks pixel_values — the outputs file lacks both.
        var error = Assert.Throws<InvalidDataException>(() => ClipEmbedding.Run(config, Fixture("model.safetensors"),
            Fixture("outputs.safetensors"), tokensFile: null, texts: null, vocabulary: null, outputFile));

        Assert.Equal($"{Fixture("outputs.safetensors")}: no tensor 'pixel_values' (holds: image_embeds, text_embeds, logits_per_image)", error.Message);
        Assert.False(File.Exists(outputFile));
    }
}

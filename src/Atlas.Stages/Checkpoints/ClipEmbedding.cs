using Atlas.Data.Images;
using Atlas.Models;
using Atlas.Stages.Storage;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Stages.Checkpoints;

/// <summary>
/// <c>atlas embed</c>: CLIP embeddings of given inputs from a checkpoint, to compare the port with open_clip or Hugging
/// Face when numbers disagree. Inputs are read and checked before the checkpoint is loaded: a safetensors file's
/// <see cref="PixelValues"/> (float32 [N, C, H, W], preprocessed) and either a safetensors file's
/// <see cref="InputIds"/> (int64 [N, L], L ≤ the context length) or texts tokenised with CLIP's BPE. The output holds
/// <see cref="ImageEmbeds"/> and/or <see cref="TextEmbeds"/>, unnormalised as CLIP's encoders return them
/// (<c>encode_image</c> / <c>get_image_features</c>), under Hugging Face's names, written atomically.
/// </summary>
public static class ClipEmbedding
{
    /// <summary>Hugging Face's name for preprocessed images (<c>CLIPProcessor</c> output).</summary>
    public const string PixelValues = "pixel_values";

    /// <summary>Hugging Face's name for token id rows.</summary>
    public const string InputIds = "input_ids";

    /// <summary>Hugging Face's names for the projected, unnormalised embeddings.</summary>
    public const string ImageEmbeds = "image_embeds", TextEmbeds = "text_embeds";

    /// <summary>Reads <see cref="PixelValues"/> from <paramref name="path"/>, checked against the image tower.</summary>
    /// <exception cref="InvalidDataException">The tensor is missing or has the wrong dtype or shape; the message names file and tensor.</exception>
    public static Tensor ReadPixels(string path, ClipConfig config)
    {
        var vision = config.Vision;
        return ReadOne(path, PixelValues, pixels =>
            pixels.dtype != ScalarType.Float32 ? $"is {pixels.dtype}, expected Float32"
            : pixels.dim() != 4 || pixels.shape[0] < 1 || pixels.shape[1] != vision.Channels || pixels.shape[2] != vision.ImageSize || pixels.shape[3] != vision.ImageSize
                ? $"is [{string.Join(", ", pixels.shape)}], config '{config.Name}' needs [N, {vision.Channels}, {vision.ImageSize}, {vision.ImageSize}]"
                : null);
    }

    /// <summary>Reads <see cref="InputIds"/> from <paramref name="path"/>, checked against the text tower.</summary>
    /// <exception cref="InvalidDataException">The tensor is missing, has the wrong dtype or shape, or holds an id outside
    /// the vocabulary; the message names file and tensor.</exception>
    public static Tensor ReadTokens(string path, ClipConfig config)
    {
        var text = config.Text;
        return ReadOne(path, InputIds, ids =>
        {
            if (ids.dtype != ScalarType.Int64) return $"is {ids.dtype}, expected Int64";
            if (ids.dim() != 2 || ids.shape[0] < 1 || ids.shape[1] < 1 || ids.shape[1] > text.ContextLength)
                return $"is [{string.Join(", ", ids.shape)}], config '{config.Name}' needs [N, L] with 1 ≤ L ≤ {text.ContextLength}";
            long low, high;
            using (NewDisposeScope()) (low, high) = (ids.min().item<long>(), ids.max().item<long>());
            return low < 0 || high >= text.VocabSize
                ? $"holds ids {low}…{high}, outside the vocabulary of config '{config.Name}' (0…{text.VocabSize - 1})"
                : null;
        });
    }

    /// <summary>CLIP's BPE rows of <paramref name="texts"/> ([N, context length], start-of-text … end-of-text, 0-padded).</summary>
    /// <param name="vocabulary">A folder with <c>vocab.json</c> + <c>merges.txt</c> or <c>bpe_simple_vocab_16e6.txt.gz</c>, or that file.</param>
    /// <exception cref="InvalidDataException">The vocabulary has ids the checkpoint's token embedding does not.</exception>
    public static Tensor Tokenize(IReadOnlyList<string> texts, string vocabulary, ClipConfig config)
    {
        var tokenizer = ClipBpeTokenizer.Load(vocabulary);
        int highest = tokenizer.Vocabulary.Tokens.Values.Max();
        if (highest >= config.Text.VocabSize)
            throw new InvalidDataException(
                $"{tokenizer.Vocabulary.Source}: has ids up to {highest}, outside the vocabulary of config '{config.Name}' (0…{config.Text.VocabSize - 1})");
        return tokenizer.Encode(texts, config.Text.ContextLength);
    }

    /// <summary>Embeds the given inputs with the checkpoint's weights; the result maps <see cref="ImageEmbeds"/> /
    /// <see cref="TextEmbeds"/> to [N, E] float32 tensors the caller owns.</summary>
    /// <param name="weights">Project-named fp32 weights (<see cref="ClipCheckpoint.Load"/>); an image-encoder checkpoint
    /// has no text transformer and can embed images only.</param>
    public static Dictionary<string, Tensor> Embed(
        IReadOnlyDictionary<string, Tensor> weights, ClipConfig config, Tensor? pixels, Tensor? tokens, string checkpoint)
    {
        if (pixels is null && tokens is null) throw new ArgumentException("nothing to embed: give images (pixels) or tokens");
        if (tokens is not null && !weights.Keys.Any(n => n.StartsWith(ClipParameterNames.TextTransformerPrefix, StringComparison.Ordinal)))
            throw new InvalidDataException($"{checkpoint}: an image-encoder checkpoint (no text transformer) cannot embed text");
        using var inference = no_grad();
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        if (pixels is not null) result[ImageEmbeds] = ClipForward.EncodeImage(pixels, weights, config.Vision);
        if (tokens is not null) result[TextEmbeds] = ClipForward.EncodeText(tokens, weights, config.Text);
        return result;
    }

    /// <summary>The whole verb: reads and checks the inputs, then the checkpoint, embeds, and writes
    /// <paramref name="output"/> atomically (nothing is written when anything fails).</summary>
    /// <param name="texts">Texts to tokenise with the vocabulary at <paramref name="vocabulary"/> (default: the
    /// checkpoint's folder); at most one of <paramref name="texts"/> and <paramref name="tokensFile"/>.</param>
    /// <returns>Each written tensor's name and shape.</returns>
    /// <param name="imagesFolder">A folder of image files to decode and preprocess with CLIP's eval transform, in
    /// file-name order; their <c>pixel_values</c> are written too. At most one of it and <paramref name="pixelsFile"/>.</param>
    public static IReadOnlyList<(string Name, long[] Shape)> Run(
        ClipConfig config, string checkpoint, string? pixelsFile, string? tokensFile, IReadOnlyList<string>? texts,
        string? vocabulary, string output, string? imagesFolder = null)
    {
        bool hasTexts = texts is { Count: > 0 };
        if (tokensFile is not null && hasTexts) throw new ArgumentException("give texts or a tokens file, not both");
        if (pixelsFile is not null && imagesFolder is not null) throw new ArgumentException("give pixels or an images folder, not both");
        if (pixelsFile is null && imagesFolder is null && tokensFile is null && !hasTexts)
            throw new ArgumentException("nothing to embed: give pixels, images, tokens or texts");
        using var scope = NewDisposeScope();
        var pixels = pixelsFile is not null ? ReadPixels(pixelsFile, config)
            : imagesFolder is not null ? PreprocessImages(imagesFolder, config)
            : null;
        var tokens = tokensFile is not null ? ReadTokens(tokensFile, config)
            : hasTexts ? Tokenize(texts!, vocabulary ?? CheckpointFolder(checkpoint), config)
            : null;
        var weights = ClipCheckpoint.Load(checkpoint, config);
        var embeddings = Embed(weights, config, pixels, tokens, checkpoint);
        if (imagesFolder is not null) embeddings[PixelValues] = pixels!;
        SafeTensorsFile.Save(output, embeddings, new Dictionary<string, string>
        {
            ["format"] = "pt",
            [CheckpointConversion.ConfigMetadataKey] = config.Name,
        });
        return [.. embeddings.Select(e => (e.Key, e.Value.shape))];
    }

    /// <summary>File extensions <see cref="PreprocessImages"/> reads (those <see cref="ImageDecoder"/> decodes).</summary>
    public static IReadOnlyList<string> ImageExtensions { get; } = [".jpg", ".jpeg", ".png", ".ppm", ".pgm"];

    /// <summary>
    /// Every image file directly in <paramref name="folder"/> (by <see cref="ImageExtensions"/>, ordinal file-name
    /// order), decoded and put through CLIP's eval transform at the configuration's image size and statistics:
    /// float32 [N, 3, S, S].
    /// </summary>
    public static Tensor PreprocessImages(string folder, ClipConfig config)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"images folder not found: {folder}");
        if (config.Vision.Channels != 3)
            throw new ArgumentException($"config '{config.Name}' takes {config.Vision.Channels}-channel images; CLIP's eval transform makes RGB");
        var files = Directory.EnumerateFiles(folder)
            .Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
            throw new ArgumentException($"no image files ({string.Join(", ", ImageExtensions)}) in {folder}");
        return ClipEvalTransform.PixelValues(files, config.Vision.ImageSize, config.Preprocess.Mean, config.Preprocess.Std);
    }

    /// <summary>The folder a checkpoint (or its shard index) is in: where Hugging Face keeps the tokenizer files.</summary>
    public static string CheckpointFolder(string checkpoint) => Path.GetDirectoryName(Path.GetFullPath(checkpoint))!;

    private static Tensor ReadOne(string path, string name, Func<Tensor, string?> problem)
    {
        var tensors = SafeTensorsFile.Load(path);
        try
        {
            if (!tensors.TryGetValue(name, out var tensor))
                throw new InvalidDataException(
                    $"{path}: no tensor '{name}' (holds: {(tensors.Count == 0 ? "nothing" : string.Join(", ", tensors.Keys))})");
            var wrong = problem(tensor);
            if (wrong is not null) throw new InvalidDataException($"{path}: tensor '{name}' {wrong}");
            tensors.Remove(name);
            return tensor;
        }
        finally
        {
            foreach (var other in tensors.Values) other.Dispose();
        }
    }
}

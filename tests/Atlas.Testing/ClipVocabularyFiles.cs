using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Atlas.Testing;

/// <summary>Small CLIP tokenizer vocabularies in the real file formats, written by tests.</summary>
public static class ClipVocabularyFiles
{
    /// <summary>transformers' tests/models/clip/test_tokenization_clip.py vocabulary (ids 0–22; SOT 21, EOT 22).</summary>
    public static readonly string[] HuggingFaceExampleVocabulary =
    [
        "l", "o", "w", "e", "r", "s", "t", "i", "d", "n", "lo", "l</w>", "w</w>", "r</w>", "t</w>", "low</w>", "er</w>",
        "lowest</w>", "newer</w>", "wider", "<unk>", "<|startoftext|>", "<|endoftext|>",
    ];

    /// <summary>The same test's merges.txt lines, header first.</summary>
    public static readonly string[] HuggingFaceExampleMerges = ["#version: 0.2", "l o", "lo w</w>", "e r</w>"];

    /// <summary>Writes the example as vocab.json + merges.txt into <paramref name="folder"/> (as the test's setUp does).</summary>
    public static void WriteHuggingFaceExample(string folder)
    {
        var tokens = HuggingFaceExampleVocabulary.Select((token, id) => (token, id)).ToDictionary(pair => pair.token, pair => pair.id);
        File.WriteAllText(Path.Combine(folder, "vocab.json"), JsonSerializer.Serialize(tokens) + "\n");
        File.WriteAllText(Path.Combine(folder, "merges.txt"), string.Join("\n", HuggingFaceExampleMerges));
    }

    /// <summary>Writes an open_clip-format gzipped merges file: its header line, then <paramref name="merges"/>.</summary>
    public static void WriteOpenClipMerges(string path, IEnumerable<string> merges)
    {
        using var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        using var writer = new StreamWriter(gzip, new UTF8Encoding(false));
        writer.Write(string.Join("\n", merges.Prepend("\"bpe_simple_vocab_16e6.txt#version: 0.2")) + "\n");
    }
}

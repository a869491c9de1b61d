using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Atlas.Models;

/// <summary>
/// CLIP's BPE vocabulary (token → id, in the byte-to-unicode alphabet, word ends marked <c>&lt;/w&gt;</c>) and its
/// ranked merges, read from one of the two layouts users have: a Hugging Face folder's <c>vocab.json</c> +
/// <c>merges.txt</c>, or open_clip's <c>bpe_simple_vocab_16e6.txt.gz</c> (merges only; the vocabulary is derived).
/// A missing or malformed file fails with an <see cref="IOException"/> or <see cref="InvalidDataException"/> naming it.
/// </summary>
public sealed record ClipVocabulary(IReadOnlyDictionary<string, int> Tokens, IReadOnlyList<string> Merges, string Source)
{
    /// <summary>Hugging Face's file names for the vocabulary and the merges.</summary>
    public const string VocabJson = "vocab.json", MergesTxt = "merges.txt";

    /// <summary>open_clip's (and OpenAI CLIP's) merges file.</summary>
    public const string OpenClipMerges = "bpe_simple_vocab_16e6.txt.gz";

    /// <summary>
    /// Merges open_clip keeps from its file: 49152 − 256 − 2, so that 256 bytes + 256 bytes with <c>&lt;/w&gt;</c> +
    /// these merges + 2 specials make CLIP's 49408 ids. The file holds more lines; open_clip ignores the rest.
    /// </summary>
    public const int OpenClipMergeCount = 49152 - 256 - 2;

    /// <summary>CLIP's vocabulary size: 2 × 256 byte symbols, <see cref="OpenClipMergeCount"/> merges and 2 specials.</summary>
    public const int ClipSize = 2 * 256 + OpenClipMergeCount + 2;

    /// <summary>Number of token ids (the text tower's embedding rows it needs).</summary>
    public int Count => Tokens.Count;

    /// <summary>The files <see cref="Load"/> reads for <paramref name="path"/> (a folder or a file): open_clip's merges
    /// file alone, or Hugging Face's <c>vocab.json</c> and <c>merges.txt</c> (a folder holding either is taken as a
    /// Hugging Face one, so a missing partner is reported by name); empty when there is nothing to read.</summary>
    public static IReadOnlyList<string> FilesOf(string path)
    {
        if (File.Exists(path))
        {
            if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) return [path];
            string folder = Path.GetDirectoryName(path) ?? ".";
            return Path.GetFileName(path) is MergesTxt or VocabJson ? [Path.Combine(folder, VocabJson), Path.Combine(folder, MergesTxt)] : [];
        }
        if (!Directory.Exists(path)) return [];
        string vocab = Path.Combine(path, VocabJson), merges = Path.Combine(path, MergesTxt), openClip = Path.Combine(path, OpenClipMerges);
        if (File.Exists(vocab) || File.Exists(merges)) return [vocab, merges];
        return File.Exists(openClip) ? [openClip] : [];
    }

    /// <summary>Start- and end-of-text as the Hugging Face vocabulary spells them.</summary>
    public const string StartOfText = "<|startoftext|>", EndOfText = "<|endoftext|>";

    /// <summary>open_clip's spelling of the same two ids (the last two of its derived vocabulary).</summary>
    public const string OpenClipStartOfText = "<start_of_text>", OpenClipEndOfText = "<end_of_text>";

    /// <summary>The id of start-of-text (49406 in CLIP).</summary>
    public int StartOfTextId => SpecialId(StartOfText, OpenClipStartOfText);

    /// <summary>The id of end-of-text (49407 in CLIP, the highest).</summary>
    public int EndOfTextId => SpecialId(EndOfText, OpenClipEndOfText);

    /// <summary>
    /// Reads <paramref name="path"/>: a folder holding <c>vocab.json</c> + <c>merges.txt</c> (preferred) or
    /// <c>bpe_simple_vocab_16e6.txt.gz</c>, or either merges file itself.
    /// </summary>
    public static ClipVocabulary Load(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path)) throw new DirectoryNotFoundException($"{path}: no such vocabulary folder or file");
        return FilesOf(path) switch
        {
            [var openClip] => FromOpenClip(openClip),
            [var vocab, var merges] => FromHuggingFace(vocab, merges),
            _ when File.Exists(path) => throw new InvalidDataException(
                $"{path}: not a CLIP vocabulary (expected a folder with {VocabJson} + {MergesTxt}, or {OpenClipMerges})"),
            _ => throw new FileNotFoundException($"{path}: holds neither {VocabJson} + {MergesTxt} nor {OpenClipMerges}", Path.Combine(path, VocabJson)),
        };
    }

    /// <summary>A Hugging Face tokenizer folder's files: <c>vocab.json</c> (token → id) and <c>merges.txt</c>.</summary>
    public static ClipVocabulary FromHuggingFace(string vocabJson, string mergesTxt)
    {
        Dictionary<string, int> tokens;
        try
        {
            using var stream = OpenExisting(vocabJson);
            tokens = JsonSerializer.Deserialize<Dictionary<string, int>>(stream)
                ?? throw new InvalidDataException($"{vocabJson}: null instead of a token → id object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{vocabJson}: not a JSON object of token → integer id ({e.Message})", e);
        }
        if (tokens.Count == 0) throw new InvalidDataException($"{vocabJson}: empty vocabulary");
        using var reader = new StreamReader(OpenExisting(mergesTxt), Encoding.UTF8);
        var merges = ReadMerges(reader, mergesTxt, int.MaxValue, firstLineIsHeader: false);
        var vocabulary = new ClipVocabulary(tokens, merges, vocabJson);
        vocabulary.CheckMergesAreInVocabulary(mergesTxt);
        return vocabulary;
    }

    /// <summary>
    /// open_clip's gzipped merges file. Its vocabulary is derived as open_clip's SimpleTokenizer does: the 256
    /// byte symbols in byte-to-unicode order, the same with <c>&lt;/w&gt;</c>, each kept merge's concatenation, then
    /// start- and end-of-text.
    /// </summary>
    public static ClipVocabulary FromOpenClip(string gzPath)
    {
        List<string> merges;
        try
        {
            using var gzip = new GZipStream(OpenExisting(gzPath), CompressionMode.Decompress);
            using var reader = new StreamReader(gzip, Encoding.UTF8);
            merges = ReadMerges(reader, gzPath, OpenClipMergeCount, firstLineIsHeader: true);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(gzPath, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{gzPath}: not a gzip file ({e.Message})", e);
        }
        var symbols = ByteLevelAlphabet.Symbols;
        var ordered = symbols.Concat(symbols.Select(symbol => symbol + ClipBpeTokenizer.EndOfWord))
            .Concat(merges.Select(merge => merge.Replace(" ", "", StringComparison.Ordinal)))
            .Append(OpenClipStartOfText).Append(OpenClipEndOfText);
        var tokens = new Dictionary<string, int>();
        foreach (var token in ordered)
            if (!tokens.TryAdd(token, tokens.Count))
                throw new InvalidDataException($"{gzPath}: merge result '{token}' appears twice");
        var vocabulary = new ClipVocabulary(tokens, merges, gzPath);
        vocabulary.CheckMergesAreInVocabulary(gzPath);
        return vocabulary;
    }

    /// <summary>
    /// Merge lines "left right", at most <paramref name="limit"/> of them; blank lines are skipped. open_clip drops
    /// its file's first line unread (<paramref name="firstLineIsHeader"/>, its header is
    /// <c>"bpe_simple_vocab_16e6.txt#version: 0.2</c>); Hugging Face's tokenizers drop a first line that starts with
    /// <c>#version</c>.
    /// </summary>
    private static List<string> ReadMerges(TextReader reader, string file, int limit, bool firstLineIsHeader)
    {
        var merges = new List<string>();
        int lineNumber = 0;
        for (string? line = reader.ReadLine(); line is not null && merges.Count < limit; line = reader.ReadLine())
        {
            lineNumber++;
            if (lineNumber == 1 && (firstLineIsHeader || line.StartsWith("#version", StringComparison.Ordinal))) continue;
            if (line.Length == 0) continue;
            var parts = line.Split(' ');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new InvalidDataException($"{file}: line {lineNumber} is not a merge 'left right': '{line}'");
            merges.Add(line);
        }
        if (merges.Count == 0) throw new InvalidDataException($"{file}: no merges");
        return merges;
    }

    /// <summary>Every merge's result must have an id; a mismatched vocab.json/merges.txt pair fails here, not mid-encoding.</summary>
    private void CheckMergesAreInVocabulary(string mergesFile)
    {
        foreach (var merge in Merges)
        {
            var joined = merge.Replace(" ", "", StringComparison.Ordinal);
            if (!Tokens.ContainsKey(joined))
                throw new InvalidDataException($"{mergesFile}: merge '{merge}' makes '{joined}', which {Source} lacks");
        }
    }

    private int SpecialId(string huggingFace, string openClip) =>
        Tokens.TryGetValue(huggingFace, out int id) || Tokens.TryGetValue(openClip, out id)
            ? id
            : throw new InvalidDataException($"{Source}: lacks {huggingFace} (or {openClip})");

    private static FileStream OpenExisting(string file) =>
        File.Exists(file) ? File.OpenRead(file) : throw new FileNotFoundException($"{file}: missing", file);
}

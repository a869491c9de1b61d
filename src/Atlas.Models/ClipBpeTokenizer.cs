using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using static TorchSharp.torch;

namespace Atlas.Models;

/// <summary>
/// CLIP's byte-level BPE tokenizer (the paper backbones' text side), built on Microsoft.ML.Tokenizers'
/// <see cref="BpeTokenizer"/>, which does the byte-to-unicode mapping (<c>ByteLevel</c>), the <c>&lt;/w&gt;</c>
/// end-of-word suffix on each pre-token's last symbol (<c>EndOfWordSuffix</c>), the merges by rank, CLIP's pre-token
/// pattern (a <see cref="RegexPreTokenizer"/>) and <see cref="ClipTextNormalizer"/>'s cleaning. Two CLIP steps are
/// done around it, because CLIP's rows are fixed-length and BpeTokenizer only encodes free text: start- and
/// end-of-text are added here (BpeTokenizer's sentence tokens are plain prefixes/suffixes without truncation), and the
/// row is cut to the context length with end-of-text forced last, then padded with 0, as open_clip's
/// <c>tokenize</c> does (Hugging Face's CLIPTokenizer pads with end-of-text instead; the pooled position is the same).
/// Special-token strings inside the text are encoded as ordinary text (open_clip and Hugging Face map them to their
/// ids).
/// </summary>
public sealed partial class ClipBpeTokenizer : ITextTokenizer
{
    /// <summary>CLIP's end-of-word suffix on the last symbol of each pre-token.</summary>
    public const string EndOfWord = "</w>";

    /// <summary>CLIP's text context length.</summary>
    public const int ContextLength = 77;

    private readonly BpeTokenizer bpe;

    public ClipBpeTokenizer(ClipVocabulary vocabulary)
    {
        Vocabulary = vocabulary;
        StartOfText = vocabulary.StartOfTextId;
        EndOfText = vocabulary.EndOfTextId;
        int highest = vocabulary.Tokens.Values.Max();
        if (EndOfText != highest)
            throw new InvalidDataException(
                $"{vocabulary.Source}: end-of-text is id {EndOfText} but the highest id is {highest}; CLIP's text tower pools at the highest id");
        bpe = BpeTokenizer.Create(new BpeOptions(vocabulary.Tokens)
        {
            Merges = vocabulary.Merges,
            PreTokenizer = new RegexPreTokenizer(PreTokens(), specialTokens: null),
            Normalizer = new ClipTextNormalizer(),
            EndOfWordSuffix = EndOfWord,
            ByteLevel = true,
            UnknownToken = vocabulary.Tokens.ContainsKey(UnknownTokenText) ? UnknownTokenText : null,
        });
    }

    /// <summary>Reads a vocabulary (see <see cref="ClipVocabulary.Load"/>) and builds the tokenizer.</summary>
    public static ClipBpeTokenizer Load(string path) => new(ClipVocabulary.Load(path));

    public ClipVocabulary Vocabulary { get; }

    public int StartOfText { get; }

    public int EndOfText { get; }

    /// <summary>BPE ids of <paramref name="text"/> without start/end of text and without truncation.</summary>
    public IReadOnlyList<int> EncodeWords(string text) => bpe.EncodeToIds(text);

    /// <summary>The cleaned text's pre-tokens, the pieces BPE encodes one by one (each gets <c>&lt;/w&gt;</c> on its last symbol).</summary>
    public IReadOnlyList<string> PreTokenize(string text)
    {
        var normalized = bpe.Normalizer!.Normalize(text);
        return bpe.PreTokenizer!.PreTokenize(normalized).Select(range => normalized.Substring(range.Offset, range.Length)).ToArray();
    }

    /// <summary>BPE token strings of <paramref name="text"/> (byte-to-unicode spelling, <c>&lt;/w&gt;</c> marked).</summary>
    public IReadOnlyList<string> Tokenize(string text) => bpe.EncodeToTokens(text, out _).Select(token => token.Value).ToArray();

    /// <summary>One row: start-of-text, the words' ids, end-of-text; cut to <paramref name="contextLength"/> keeping end-of-text last; 0-padded.</summary>
    public long[] EncodeRow(string text, int contextLength)
    {
        if (contextLength < 2) throw new ArgumentOutOfRangeException(nameof(contextLength), contextLength, "need room for start- and end-of-text");
        var row = new long[contextLength];
        var words = EncodeWords(text);
        int kept = Math.Min(words.Count, contextLength - 2);
        row[0] = StartOfText;
        for (int i = 0; i < kept; i++) row[1 + i] = words[i];
        row[1 + kept] = EndOfText;
        return row;
    }

    public Tensor Encode(IReadOnlyList<string> texts, int contextLength)
    {
        var ids = texts.SelectMany(text => EncodeRow(text, contextLength)).ToArray();
        return tensor(ids, texts.Count, contextLength);
    }

    private const string UnknownTokenText = "<unk>";

    /// <summary>
    /// CLIP's pre-token pattern (open_clip's and Hugging Face's, without the special-token alternatives): English
    /// contractions, letter runs, single digits, runs of other non-space characters. Case-insensitive as in CLIP.
    /// </summary>
    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+", RegexOptions.IgnoreCase)]
    private static partial Regex PreTokens();
}

using System.Text;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace Atlas.Models;

/// <summary>
/// Vocabulary-free tokenizer for the mini profile: lower-cased text is split into words (runs of letters and digits)
/// and single punctuation characters, and each piece maps to 1 + FNV-1a-64(UTF-8 bytes) mod (vocab − 3). Ids are
/// therefore stable across processes, machines and specs. 0 pads, vocab − 2 is start-of-text and vocab − 1
/// end-of-text (the highest id, so argmax pooling finds it). The paper backbones use CLIP's BPE tokenizer instead
/// (<see cref="ClipBpeTokenizer"/>).
/// </summary>
public sealed partial class HashingWordTokenizer : ITextTokenizer
{
    private const ulong FnvOffsetBasis = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;

    /// <param name="vocabSize">Rows of the text tower's token embedding; at least 4 (pad, one word id, SOT, EOT).</param>
    public HashingWordTokenizer(int vocabSize)
    {
        if (vocabSize < 4) throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize, "need at least 4 ids");
        VocabSize = vocabSize;
    }

    public int VocabSize { get; }

    /// <summary>Start-of-text id (vocab − 2).</summary>
    public long StartOfText => VocabSize - 2;

    /// <summary>End-of-text id (vocab − 1).</summary>
    public long EndOfText => VocabSize - 1;

    /// <summary>Lower-cased words and punctuation characters of <paramref name="text"/>, in order.</summary>
    public static IReadOnlyList<string> Split(string text) =>
        Pieces().Matches(text.ToLowerInvariant()).Select(match => match.Value).ToArray();

    /// <summary>The id of one (already lower-cased) piece, in [1, vocab − 3].</summary>
    public long PieceId(string piece)
    {
        ulong hash = FnvOffsetBasis;
        foreach (byte b in Encoding.UTF8.GetBytes(piece)) hash = (hash ^ b) * FnvPrime;
        return 1 + (long)(hash % (ulong)(VocabSize - 3));
    }

    public Tensor Encode(IReadOnlyList<string> texts, int contextLength)
    {
        if (contextLength < 2) throw new ArgumentOutOfRangeException(nameof(contextLength), contextLength, "need room for SOT and EOT");
        var ids = new long[texts.Count * contextLength];
        for (int row = 0; row < texts.Count; row++)
        {
            int offset = row * contextLength, position = 0;
            ids[offset + position++] = StartOfText;
            foreach (var piece in Split(texts[row]).Take(contextLength - 2)) ids[offset + position++] = PieceId(piece);
            ids[offset + position] = EndOfText;
        }
        return tensor(ids, texts.Count, contextLength);
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+|[^\p{L}\p{N}\s]")]
    private static partial Regex Pieces();
}

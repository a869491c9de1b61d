using Atlas.Models;
using static TorchSharp.torch;

namespace Atlas.Models.Tests;

public class HashingWordTokenizerTests
{
    private static readonly HashingWordTokenizer Tokenizer = new(2048);

    private static long[] Row(string text, int context)
    {
        using var ids = Tokenizer.Encode([text], context);
        Assert.Equal(ScalarType.Int64, ids.dtype);
        Assert.Equal([1L, context], ids.shape);
        return ids.data<long>().ToArray();
    }

    [Fact]
    public void Ids_are_fixed_fnv1a_hashes()
    {
        // Computed independently (Python) as 1 + FNV-1a-64(utf8) mod 2045.
        Assert.Equal(["a", "photo", "of", "a", "cat", ",", "naïve", "!"], HashingWordTokenizer.Split("A photo of a Cat, naïve!"));
        Assert.Equal([2046L, 1317, 894, 1221, 1317, 1877, 788, 104, 1783, 2047, 0, 0], Row("A photo of a Cat, naïve!", 12));
    }

    [Fact]
    public void Sot_first_eot_after_the_words_then_zero_padding()
    {
        var row = Row("a cat", 8);
        Assert.Equal(Tokenizer.StartOfText, row[0]);
        Assert.Equal(Tokenizer.EndOfText, row[3]);
        Assert.Equal([0L, 0, 0, 0], row[4..]);
        Assert.Equal([2046L, 2047, 0, 0], Row("", 4));
        Assert.Equal(2047, Tokenizer.EndOfText);
    }

    [Fact]
    public void Truncation_keeps_eot_last()
    {
        var row = Row("one two three four five six", 5);
        Assert.Equal([2046L, Tokenizer.PieceId("one"), Tokenizer.PieceId("two"), Tokenizer.PieceId("three"), 2047], row);
    }

    [Fact]
    public void Word_ids_stay_below_the_special_tokens_so_argmax_finds_eot()
    {
        var words = Enumerable.Range(0, 5000).Select(i => $"w{i}").ToList();
        Assert.All(words, w => Assert.InRange(Tokenizer.PieceId(w), 1, 2045));
        using var ids = Tokenizer.Encode(["x y z", "a", "lots of words here"], 16);
        using var eot = ids.argmax(-1);
        Assert.Equal([4L, 2, 5], eot.data<long>().ToArray());
    }

    [Fact]
    public void Rows_are_encoded_independently_and_reproducibly()
    {
        using var batch = Tokenizer.Encode(["a cat", "a dog."], 6);
        Assert.Equal(Row("a dog.", 6), batch[1].data<long>().ToArray());
        Assert.Equal(Row("a cat", 6), new HashingWordTokenizer(2048).Encode(["A CAT"], 6).data<long>().ToArray());
    }
}

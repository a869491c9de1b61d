using Atlas.Models;

namespace Atlas.Models.Tests;

/// <summary>
/// CLIP's BPE tokenizer on small vocabularies the tests write in the real formats. Expected ids are those of
/// transformers' tests/models/clip/test_tokenization_clip.py (Hugging Face layout) or worked out by hand from
/// open_clip's SimpleTokenizer rules (the .gz layout: ids 0–255 the byte symbols in byte-to-unicode order, so
/// 'a' = 97 − 33 = 64; 256–511 the same with &lt;/w&gt;; then one id per merge; then start/end of text).
/// </summary>
public sealed class ClipBpeTokenizerTests : IDisposable
{
    private readonly TempDirectory folder = new();

    public void Dispose() => folder.Dispose();

    private string WriteHuggingFaceExample()
    {
        ClipVocabularyFiles.WriteHuggingFaceExample(folder.Path);
        return folder.Path;
    }

    private string WriteOpenClipMerges(IEnumerable<string> merges)
    {
        var path = folder.File(ClipVocabulary.OpenClipMerges);
        ClipVocabularyFiles.WriteOpenClipMerges(path, merges);
        return path;
    }

    private ClipBpeTokenizer OpenClipHello() => ClipBpeTokenizer.Load(WriteOpenClipMerges(["h e", "l l", "he ll", "hell o</w>"]));

    [Fact]
    public void Hugging_face_tokenizer_tests_small_vocabulary_example_is_reproduced()
    {
        var tokenizer = ClipBpeTokenizer.Load(WriteHuggingFaceExample());

        Assert.Equal(["lo", "w", "er</w>", "n", "e", "w", "er</w>"], tokenizer.Tokenize("lower newer"));
        Assert.Equal([10, 2, 16, 9, 3, 2, 16], tokenizer.EncodeWords("lower newer"));
        Assert.Equal([21L, 10, 2, 16, 9, 3, 2, 16, 22, 0, 0], tokenizer.EncodeRow("lower newer", 11));
    }

    [Fact]
    public void Case_and_whitespace_runs_are_cleaned_before_splitting()
    {
        var tokenizer = ClipBpeTokenizer.Load(WriteHuggingFaceExample());

        Assert.Equal([10, 2, 16, 9, 3, 2, 16], tokenizer.EncodeWords("  LoWER \t\n\u00a0NEWER\r\n"));
    }

    [Fact]
    public void Truncation_keeps_end_of_text_last()
    {
        var tokenizer = ClipBpeTokenizer.Load(WriteHuggingFaceExample());

        Assert.Equal([21L, 10, 2, 16, 22], tokenizer.EncodeRow("lower newer", 5));
        Assert.Equal([21L, 22], tokenizer.EncodeRow("lower newer", 2));
    }

    [Fact]
    public void Encode_returns_int64_rows_of_the_context_length()
    {
        var tokenizer = ClipBpeTokenizer.Load(WriteHuggingFaceExample());

        using var ids = tokenizer.Encode(["lower", "newer lower"], ClipBpeTokenizer.ContextLength);

        Assert.Equal([2L, 77], ids.shape);
        Assert.Equal(TorchSharp.torch.ScalarType.Int64, ids.dtype);
        var rows = ids.data<long>().ToArray();
        Assert.Equal([21L, 10, 2, 16, 22, 0], rows[..6]);
        Assert.Equal([21L, 9, 3, 2, 16, 10, 2, 16, 22, 0], rows[77..87]);
    }

    [Fact]
    public void Open_clip_merges_file_derives_the_vocabulary_in_open_clip_order()
    {
        var tokenizer = OpenClipHello();

        Assert.Equal(512 + 4 + 2, tokenizer.Vocabulary.Tokens.Count);
        Assert.Equal(516, tokenizer.StartOfText);
        Assert.Equal(517, tokenizer.EndOfText);
        // 'hello' merges to id 515; '!' is byte symbol 0, as a word end 256 + 0.
        Assert.Equal([516L, 515, 515, 256, 517, 0], tokenizer.EncodeRow("Hello hello!", 6));
        // 'h' = 104 − 33; 'i</w>' = 256 + 105 − 33.
        Assert.Equal([71, 328], tokenizer.EncodeWords("hi"));
    }

    [Fact]
    public void Contractions_digits_and_punctuation_split_as_in_clip()
    {
        var tokenizer = OpenClipHello();

        // it | 's | 4 | 2 | ?! : i = 72, t</w> = 256 + 83, ' = 6, s</w> = 256 + 82, 4</w> = 256 + 19, 2</w> = 256 + 17, ? = 30, !</w> = 256.
        Assert.Equal([72, 339, 6, 338, 275, 273, 30, 256], tokenizer.EncodeWords("IT'S 42?!"));
    }

    [Fact]
    public void Transformers_slow_fast_check_string_splits_as_clips_pattern_does()
    {
        var tokenizer = OpenClipHello();

        // The string of transformers' test_check_encoding_slow_fast; the split worked out by hand and with python3's
        // re on an ASCII-equivalent of CLIP's pattern ([^\W\d_]+ for letters).
        Assert.Equal(
            ["a", "'ll", "1", "1", "p", "2", "2", "3", "rf", "☆", "ho", "!!", "to", "?'", "d", "'d", "''", "d", "of", "a", "cat", "to", "-$''", "d", "."],
            tokenizer.PreTokenize("A\n'll 11p223RF☆ho!!to?'d'd''d of a cat to-$''d."));
        Assert.Equal(["a", "&", "b"], tokenizer.PreTokenize("a &amp;amp; b"));
    }

    [Fact]
    public void Non_ascii_text_is_encoded_byte_level_after_nfc()
    {
        var tokenizer = OpenClipHello();

        // é = UTF-8 C3 A9: byte 0xC3 is symbol 106 + (195 − 174) = 127; 0xA9 is 94 + (169 − 161) = 102, as a word end 358.
        Assert.Equal([127, 358], tokenizer.EncodeWords("é"));
        Assert.Equal([127, 358], tokenizer.EncodeWords("e\u0301"));
        // A space-like byte (0x20 is remapped, symbol 188 + 32): never seen, whitespace is a separator.
        Assert.Equal([71, 328, 71, 328], tokenizer.EncodeWords("hi\u3000hi"));
    }

    [Fact]
    public void Open_clip_keeps_49152_minus_258_merges_for_49408_ids()
    {
        var merges = Enumerable.Range(0, ClipVocabulary.OpenClipMergeCount + 10).Select(i => $"x{i} y");
        var vocabulary = ClipVocabulary.Load(WriteOpenClipMerges(merges));

        Assert.Equal(49408, vocabulary.Tokens.Count);
        Assert.Equal(48894, vocabulary.Merges.Count);
        Assert.Equal(49406, vocabulary.StartOfTextId);
        Assert.Equal(49407, vocabulary.EndOfTextId);
        Assert.Equal(64, vocabulary.Tokens["a"]);
        Assert.Equal(320, vocabulary.Tokens["a</w>"]);
        Assert.Equal(512, vocabulary.Tokens["x0y"]);
    }

    [Fact]
    public void A_missing_merges_file_is_named()
    {
        WriteHuggingFaceExample();
        File.Delete(folder.File("merges.txt"));

        var error = Assert.Throws<FileNotFoundException>(() => ClipBpeTokenizer.Load(folder.Path));
        Assert.Contains(folder.File("merges.txt"), error.Message);
    }

    [Fact]
    public void A_folder_without_a_vocabulary_is_refused()
    {
        var error = Assert.Throws<FileNotFoundException>(() => ClipBpeTokenizer.Load(folder.Path));
        Assert.Contains("vocab.json", error.Message);
        Assert.Contains(ClipVocabulary.OpenClipMerges, error.Message);
    }

    [Fact]
    public void A_malformed_vocab_json_is_named()
    {
        WriteHuggingFaceExample();
        File.WriteAllText(folder.File("vocab.json"), "{\"l\": \"zero\"}");

        var error = Assert.Throws<InvalidDataException>(() => ClipBpeTokenizer.Load(folder.Path));
        Assert.Contains(folder.File("vocab.json"), error.Message);
    }

    [Fact]
    public void A_malformed_merge_line_is_named_with_its_line_number()
    {
        WriteHuggingFaceExample();
        File.WriteAllText(folder.File("merges.txt"), "#version: 0.2\nl o\nlow\n");

        var error = Assert.Throws<InvalidDataException>(() => ClipBpeTokenizer.Load(folder.Path));
        Assert.Contains($"{folder.File("merges.txt")}: line 3", error.Message);
    }

    [Fact]
    public void Merges_that_make_tokens_the_vocabulary_lacks_are_refused()
    {
        WriteHuggingFaceExample();
        File.AppendAllText(folder.File("merges.txt"), "\nw i");

        var error = Assert.Throws<InvalidDataException>(() => ClipBpeTokenizer.Load(folder.Path));
        Assert.Contains("'wi'", error.Message);
    }

    [Fact]
    public void A_vocabulary_whose_end_of_text_is_not_the_highest_id_is_refused()
    {
        WriteHuggingFaceExample();
        File.WriteAllText(folder.File("vocab.json"), File.ReadAllText(folder.File("vocab.json")).Replace("}", ",\"zz\":23}"));

        var error = Assert.Throws<InvalidDataException>(() => ClipBpeTokenizer.Load(folder.Path));
        Assert.Contains("end-of-text is id 22 but the highest id is 23", error.Message);
    }

    [Fact]
    public void A_gz_that_is_not_gzip_is_named()
    {
        var path = folder.File(ClipVocabulary.OpenClipMerges);
        File.WriteAllText(path, "h e\n");

        var error = Assert.Throws<InvalidDataException>(() => ClipBpeTokenizer.Load(path));
        Assert.Contains(path, error.Message);
    }
}

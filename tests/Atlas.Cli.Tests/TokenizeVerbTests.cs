namespace Atlas.Cli.Tests;

/// <summary>
/// atlas tokenize on transformers' small CLIP test vocabulary (vocab.json + merges.txt written here): ids per
/// test_tokenization_clip.py ("lower" = lo w er&lt;/w&gt; = 10 2 16; "newer" = n e w er&lt;/w&gt; = 9 3 2 16;
/// start-of-text 21, end-of-text 22), and the error for a missing file.
/// </summary>
public sealed class TokenizeVerbTests : CliTestFolder
{
    [Fact]
    public void Tokenize_prints_one_json_array_per_text()
    {
        ClipVocabularyFiles.WriteHuggingFaceExample(folder.Path);

        var result = Atlas("tokenize", "--vocab", folder.Path, "--context-length", "8", "lower newer", "NEWER");

        Assert.True(result.ExitCode == 0, result.ToString());
        // "lower newer" is cut to 8 with end-of-text forced last.
        Assert.Equal("[\n  [21,10,2,16,9,3,2,22],\n  [21,9,3,2,16,22,0,0]\n]",
            result.Out.TrimEnd().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Tokenize_pads_to_clip_context_length_by_default()
    {
        ClipVocabularyFiles.WriteHuggingFaceExample(folder.Path);

        var result = Atlas("tokenize", "--vocab", folder.Path, "lower");

        Assert.True(result.ExitCode == 0, result.ToString());
        var expected = new long[77];
        long[] ids = [21, 10, 2, 16, 22];
        ids.CopyTo(expected, 0);
        Assert.Equal($"[\n  [{string.Join(',', expected)}]\n]", result.Out.TrimEnd().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Tokenize_with_a_missing_merges_file_fails_naming_it()
    {
        ClipVocabularyFiles.WriteHuggingFaceExample(folder.Path);
        File.Delete(folder.File("merges.txt"));

        var result = Atlas("tokenize", "--vocab", folder.Path, "lower");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal($"error: {folder.File("merges.txt")}: missing", result.Error.TrimEnd());
    }
}

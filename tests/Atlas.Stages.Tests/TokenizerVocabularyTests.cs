using Atlas.Models;
using Atlas.Pipeline.Specs;
using Atlas.Stages.Storage;
using Atlas.Stages.Tests.Support;

namespace Atlas.Stages.Tests;

/// <summary>
/// The spec's <c>tokenizer_vocabulary</c>: CLIP's BPE files for a backbone with CLIP's text tower, checked against the
/// tower's embedding size before anything runs, used by the stages that tokenise and hashed as their inputs. The mini
/// keeps its word-hashing tokenizer.
/// </summary>
public sealed class TokenizerVocabularyTests
{
    private static readonly string Parity = Path.Combine(RepositoryRoot.Path, "tests", "Atlas.Models.Tests", "Fixtures", "parity");

    private static string Spec(string backboneAndTokenizer) => MicroSpec.With("backbone: mini", backboneAndTokenizer);

    private static string SingleError(TempRepository repository)
    {
        var error = Assert.Throws<SpecException>(() => repository.Open().Dispose());
        Assert.False(Directory.Exists(repository.ArtifactsDir));
        return Assert.Single(error.Errors).ToString();
    }

    [Fact]
    public void A_clip_backbone_without_tokenizer_files_is_refused_at_the_backbone_key()
    {
        using var repository = new TempRepository(Spec("backbone: ViT-B-32"));

        var error = SingleError(repository);

        // micro.yaml's backbone is on line 6, its value at column 11; the message says what to add.
        Assert.StartsWith($"{repository.SpecPath}:6:11: backbone: backbone 'ViT-B-32' has CLIP's text tower (49408 token ids)", error);
        Assert.Contains("tokenizer_vocabulary", error);
    }

    [Fact]
    public void A_vocabulary_of_another_size_than_the_text_tower_is_refused_at_its_key()
    {
        // The parity fixture's vocabulary (transformers' tokenizer-test vocabulary) has 23 ids; the mini embeds 2048.
        using var repository = new TempRepository(Spec($"backbone: mini\ntokenizer_vocabulary: {Parity}"));

        var error = SingleError(repository);

        Assert.StartsWith($"{repository.SpecPath}:7:23: tokenizer_vocabulary: ", error);
        Assert.EndsWith("23 token ids, but backbone 'mini' embeds 2048", error);
    }

    [Fact]
    public void A_missing_vocabulary_folder_is_refused_naming_it()
    {
        using var repository = new TempRepository(Spec("backbone: ViT-B-32\ntokenizer_vocabulary: clip-tokenizer"));

        var error = SingleError(repository);

        Assert.Contains(":7:23: tokenizer_vocabulary: ", error);
        Assert.Contains(repository.Absolute("clip-tokenizer"), error);
    }

    [Fact]
    public void The_named_vocabulary_tokenises_as_the_independent_goldens_and_its_files_are_head_and_pretrain_inputs()
    {
        using var repository = new TempRepository(Spec($"backbone: {Parity}/config.json\ntokenizer_vocabulary: {Parity}"));
        using var session = repository.Open();

        Assert.IsType<ClipBpeTokenizer>(session.Context.Tokenizer);
        // inputs.safetensors was written by make_parity.py from transformers' tokenizer-test example: row 0 is
        // "lower newer", row 1 "lower" (context 16, zero-padded).
        using var goldens = TorchSharp.torch.NewDisposeScope();
        var inputIds = SafeTensorsFile.Load(Path.Combine(Parity, "inputs.safetensors"))["input_ids"];
        var encoded = session.Context.Tokenizer.Encode(["lower newer", "lower"], session.Context.Config.Text.ContextLength);
        Assert.Equal(inputIds[..2].data<long>().ToArray(), encoded.data<long>().ToArray());

        string vocab = Path.GetRelativePath(repository.Root, Path.Combine(Parity, ClipVocabulary.VocabJson));
        string merges = Path.GetRelativePath(repository.Root, Path.Combine(Parity, ClipVocabulary.MergesTxt));
        foreach (var stage in session.Stages.Where(s => s.Id == StageIds.Pretrain || s.Id.StartsWith(StageIds.Head(""), StringComparison.Ordinal)))
        {
            Assert.Contains(vocab, stage.Inputs(session.Context));
            Assert.Contains(merges, stage.Inputs(session.Context));
        }
    }

    [Fact]
    public void The_mini_keeps_its_word_hashing_tokenizer_and_no_tokenizer_inputs()
    {
        using var repository = new TempRepository(MicroSpec.Text);
        using var session = repository.Open();

        Assert.IsType<HashingWordTokenizer>(session.Context.Tokenizer);
        Assert.Empty(session.Context.TokenizerFiles);
    }
}

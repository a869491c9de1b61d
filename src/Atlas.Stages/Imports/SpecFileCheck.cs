using Atlas.Models;
using Atlas.Pipeline.Specs;

namespace Atlas.Stages.Imports;

/// <summary>
/// The files a spec names, read while it is validated: a backbone's model-configuration file
/// (<see cref="ClipConfigFile"/>'s errors, which name the file and field) and imported checkpoints, checked against
/// the backbone from their headers (<see cref="ImportedCheckpoint.Problems"/>). Paths are resolved against the
/// repository root, as <c>data.root</c> is.
/// </summary>
public sealed class SpecFileCheck(string repositoryRoot) : ISpecFileCheck
{
    public string? ModelConfigProblem(string path)
    {
        try
        {
            SpecBackbone.Resolve(path, repositoryRoot);
            return null;
        }
        catch (Exception error) when (error is ModelConfigException or FileNotFoundException or IOException or UnauthorizedAccessException)
        {
            return error.Message;
        }
    }

    public string? CheckpointProblem(string path, ImportedFileKind kind, string backbone)
    {
        var absolute = Path.Combine(repositoryRoot, path);
        if (!File.Exists(absolute)) return SpecBackbone.NotFound(Describe(kind), path, absolute);
        try
        {
            var problems = ImportedCheckpoint.Problems(absolute, kind, SpecBackbone.Resolve(backbone, repositoryRoot));
            return problems.Count == 0 ? null : string.Join("; ", problems);
        }
        catch (IOException error)
        {
            return $"{absolute}: cannot be read: {error.Message}";
        }
    }

    public string? TokenizerProblem(string? vocabulary, string backbone)
    {
        var config = SpecBackbone.Resolve(backbone, repositoryRoot);
        if (vocabulary is null)
        {
            // The word-hashing tokenizer gives ids a CLIP text tower was never trained on: silently wrong heads.
            return config.Text.VocabSize == ClipVocabulary.ClipSize
                ? $"backbone '{backbone}' has CLIP's text tower ({ClipVocabulary.ClipSize} token ids): name CLIP's tokenizer files in "
                  + $"tokenizer_vocabulary (a folder with {ClipVocabulary.VocabJson} + {ClipVocabulary.MergesTxt}, or {ClipVocabulary.OpenClipMerges})"
                : null;
        }
        try
        {
            var loaded = ClipVocabulary.Load(Path.Combine(repositoryRoot, vocabulary));
            return loaded.Count == config.Text.VocabSize
                ? null
                : $"{loaded.Source}: {loaded.Count} token ids, but backbone '{backbone}' embeds {config.Text.VocabSize}";
        }
        catch (Exception error) when (error is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return error.Message;
        }
    }

    private static string Describe(ImportedFileKind kind) => kind switch
    {
        ImportedFileKind.Pretrained => "pretrained checkpoint",
        ImportedFileKind.FineTuned => "fine-tuned checkpoint",
        _ => "task vector",
    };
}

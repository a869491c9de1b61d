namespace Atlas.Pipeline.Specs;

/// <summary>
/// Reads the files a spec names (model configurations, checkpoints) while the spec is validated, so a missing or
/// mismatched file is reported at its field's line and column before any stage runs. Supplied by the caller (through
/// <see cref="SpecContext.Files"/>), which knows the repository root and the model formats; paths are passed as written
/// in the spec.
/// </summary>
public interface ISpecFileCheck
{
    /// <summary>What is wrong with the model-configuration file <paramref name="path"/>; null when it is valid.</summary>
    string? ModelConfigProblem(string path);

    /// <summary>What is wrong with the checkpoint file <paramref name="path"/> used as <paramref name="kind"/> under the
    /// (valid) <paramref name="backbone"/>: missing, unreadable, or a tensor it lacks, has extra or holds in the wrong
    /// shape or dtype. Null when it fits.</summary>
    string? CheckpointProblem(string path, ImportedFileKind kind, string backbone);

    /// <summary>What is wrong with the tokenizer the spec gives the (valid) <paramref name="backbone"/>: the vocabulary
    /// at <paramref name="vocabulary"/> is missing, malformed or of another size than the text tower's embedding table;
    /// or, with no vocabulary named, the backbone needs CLIP's. Null when they fit.</summary>
    string? TokenizerProblem(string? vocabulary, string backbone);
}

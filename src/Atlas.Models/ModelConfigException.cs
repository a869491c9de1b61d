namespace Atlas.Models;

/// <summary>A model-configuration file that cannot be read: the message names the file and the field.</summary>
/// <param name="file">The file (or embedded resource) being read.</param>
/// <param name="field">Dotted path of the offending field, e.g. <c>vision_cfg.width</c>.</param>
/// <param name="problem">What is wrong with it.</param>
public sealed class ModelConfigException(string file, string field, string problem)
    : Exception($"{file}: field '{field}': {problem}")
{
    /// <summary>The file (or embedded resource) being read.</summary>
    public string File { get; } = file;

    /// <summary>Dotted path of the offending field.</summary>
    public string Field { get; } = field;
}

namespace Atlas.Pipeline.Specs;

/// <summary>
/// How a spec's <c>backbone</c> value is read: a built-in configuration's name (<c>mini</c>, <c>ViT-B-32</c>…) or the
/// path of a model-configuration JSON file (open_clip's or a Hugging Face <c>config.json</c>), relative to the
/// repository root like <c>data.root</c>. A value is a path when it ends in <c>.json</c> or holds a folder separator;
/// anything else is a name, so a misspelt name is reported with the name it resembles rather than as a missing file.
/// </summary>
public static class BackboneReference
{
    /// <summary>Whether <paramref name="backbone"/> names a model-configuration file rather than a built-in configuration.</summary>
    public static bool IsFile(string backbone) =>
        backbone.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || backbone.Contains('/') || backbone.Contains('\\');
}

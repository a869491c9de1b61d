namespace Atlas.Pipeline.Specs;

/// <summary>Constants shared by the spec's validation attributes (attribute arguments must be constants).</summary>
internal static class SpecPatterns
{
    /// <summary>A name usable as a folder and a stage-id segment on every OS: no separators, no leading dot.</summary>
    public const string SafeName = "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$";

    public const string SafeNameRule = "must be a safe folder name (letters, digits, '_', '-', '.'; starting with a letter or digit; at most 64 characters)";
}

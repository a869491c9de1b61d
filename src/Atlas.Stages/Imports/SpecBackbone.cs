using Atlas.Models;
using Atlas.Pipeline.Specs;

namespace Atlas.Stages.Imports;

/// <summary>The <see cref="ClipConfig"/> a spec's <c>backbone</c> means: a built-in configuration by name, or the
/// model-configuration file at the path (<see cref="BackboneReference"/>), resolved against the repository root as
/// <c>data.root</c> is.</summary>
public static class SpecBackbone
{
    /// <exception cref="ModelConfigException">The file is not a valid configuration (names the file, as written in
    /// the spec, and the field).</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static ClipConfig Resolve(string backbone, string repositoryRoot)
    {
        if (!BackboneReference.IsFile(backbone)) return ClipConfig.Get(backbone);
        var path = Path.Combine(repositoryRoot, backbone);
        if (!File.Exists(path)) throw new FileNotFoundException(NotFound("model-config", backbone, path), path);
        return ClipConfigFile.Parse(File.ReadAllText(path), Path.GetFileNameWithoutExtension(path), backbone);
    }

    /// <summary>The message for a file a spec names that is not there: as written, and where it was looked for.</summary>
    internal static string NotFound(string what, string written, string absolute) =>
        $"{what} file '{written}' not found (looked for {absolute}; relative paths start at the repository root)";
}

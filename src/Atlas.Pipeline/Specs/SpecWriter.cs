using Atlas.Store;

namespace Atlas.Pipeline.Specs;

/// <summary>Writes specs back to YAML.</summary>
public static class SpecWriter
{
    /// <summary>
    /// Writes <paramref name="spec"/> resolved (<see cref="ResolvedSpec.Spec"/>): every default explicit, snake_case
    /// keys. The file loads back through <see cref="SpecLoader"/> to the same resolution.
    /// </summary>
    public static void WriteResolvedYaml(ExperimentSpec spec, string path) =>
        AtomicFile.WriteAllText(path, ToResolvedYaml(spec));

    /// <summary>The text <see cref="WriteResolvedYaml"/> writes.</summary>
    public static string ToResolvedYaml(ExperimentSpec spec) =>
        "# Resolved experiment spec: every default explicit. Generated; edit the source spec instead.\n"
        + SpecYaml.Serializer.Serialize(SpecResolver.Resolve(spec).Spec);
}

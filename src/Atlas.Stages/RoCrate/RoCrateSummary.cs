namespace Atlas.Stages.RoCrate;

/// <summary>What an export wrote: the file and how many entities of each <c>@type</c> its graph holds (an entity with
/// several types counts once under each).</summary>
/// <param name="Path">Absolute path of the written <c>ro-crate-metadata.json</c>.</param>
/// <param name="Entities">Entities in the graph.</param>
/// <param name="ByType">Type → count, ordinal order.</param>
public sealed record RoCrateSummary(string Path, int Entities, IReadOnlyList<KeyValuePair<string, int>> ByType)
{
    /// <summary>One line per type after a total, as the CLI prints it.</summary>
    public string Render() =>
        $"{Path}: {Entities} entities\n" + string.Concat(ByType.Select(t => $"  {t.Key,-22} {t.Value}\n"));
}

using System.Text.Json.Nodes;
using Atlas.Store;

namespace Atlas.Pipeline.Provenance;

/// <summary>Names the parameters that differ between two parameter objects, by dotted path.</summary>
public static class ParameterDiff
{
    private const int MaxValueLength = 60;

    /// <summary>E.g. <c>parameter 'finetune.lr' changed 0.001 → 0.002</c>; empty when the values are equal.</summary>
    public static List<string> Describe(JsonNode? before, JsonNode? after)
    {
        var changes = new List<string>();
        Compare(before, after, "", changes);
        return changes;
    }

    private static void Compare(JsonNode? before, JsonNode? after, string path, List<string> changes)
    {
        if (before is JsonObject oldObject && after is JsonObject newObject)
        {
            foreach (var (key, oldValue) in oldObject)
            {
                var childPath = path.Length == 0 ? key : $"{path}.{key}";
                if (newObject.TryGetPropertyValue(key, out var newValue)) Compare(oldValue, newValue, childPath, changes);
                else changes.Add($"parameter '{childPath}' removed (was {Show(oldValue)})");
            }
            foreach (var (key, newValue) in newObject.Where(p => !oldObject.ContainsKey(p.Key)))
                changes.Add($"parameter '{(path.Length == 0 ? key : $"{path}.{key}")}' added (= {Show(newValue)})");
            return;
        }
        if (before is JsonArray oldArray && after is JsonArray newArray && oldArray.Count == newArray.Count)
        {
            for (int i = 0; i < oldArray.Count; i++) Compare(oldArray[i], newArray[i], $"{path}[{i}]", changes);
            return;
        }
        var oldText = CanonicalJson.Write(before);
        var newText = CanonicalJson.Write(after);
        if (oldText != newText)
            changes.Add($"{(path.Length == 0 ? "parameters" : $"parameter '{path}'")} changed {Shorten(oldText)} → {Shorten(newText)}");
    }

    private static string Show(JsonNode? value) => Shorten(CanonicalJson.Write(value));

    private static string Shorten(string text) => text.Length <= MaxValueLength ? text : text[..(MaxValueLength - 1)] + "…";
}

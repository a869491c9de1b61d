using System.Text.Json.Nodes;

namespace Atlas.Stages.RoCrate;

/// <summary>
/// A flat JSON-LD <c>@graph</c> under construction: entities in insertion order, one per <c>@id</c>, so the written
/// file is deterministic. Adding an id twice is a bug in the writer and throws.
/// </summary>
internal sealed class CrateGraph
{
    private readonly List<JsonObject> entities = [];
    private readonly Dictionary<string, JsonObject> byId = new(StringComparer.Ordinal);

    /// <summary>A new entity with <c>@id</c> and <c>@type</c> (one type as a string, several as an array).</summary>
    public JsonObject Add(string id, params string[] types)
    {
        var entity = new JsonObject { ["@id"] = id, ["@type"] = types.Length == 1 ? types[0] : new JsonArray([.. types.Select(t => (JsonNode)t)]) };
        if (!byId.TryAdd(id, entity)) throw new InvalidOperationException($"RO-Crate entity {id} added twice");
        entities.Add(entity);
        return entity;
    }

    public bool Contains(string id) => byId.ContainsKey(id);

    public JsonObject this[string id] => byId[id];

    public IReadOnlyList<JsonObject> Entities => entities;

    /// <summary>A reference to an entity: <c>{"@id": id}</c>.</summary>
    public static JsonObject Ref(string id) => new() { ["@id"] = id };

    /// <summary>References to <paramref name="ids"/>: one as a single object, several as an array (RO-Crate: a
    /// single-element array SHOULD be unpacked).</summary>
    public static JsonNode Refs(IEnumerable<string> ids)
    {
        var list = ids.ToList();
        return list.Count == 1 ? Ref(list[0]) : new JsonArray([.. list.Select(id => (JsonNode)Ref(id))]);
    }
}

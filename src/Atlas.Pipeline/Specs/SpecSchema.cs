using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Atlas.Pipeline.Specs;

/// <summary>
/// The JSON Schema (draft 2020-12) of experiment specs, generated from the spec records (shapes, required keys,
/// defaults, validation attributes, doc comments) so it never drifts from them. Editors use it through
/// <c># yaml-language-server: $schema=schema/experiment.schema.json</c> at the top of a spec.
/// </summary>
public static class SpecSchema
{
    /// <summary>Where the generated schema is committed, relative to the repository root.</summary>
    public const string RepositoryPath = "experiments/schema/experiment.schema.json";

    private static readonly JsonSerializerOptions DefaultValueJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static readonly JsonSerializerOptions OutputJson = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The schema as indented JSON with a trailing newline, byte-for-byte stable.</summary>
    public static string Generate()
    {
        var docs = XmlDocs.ForAssemblyOf(typeof(ExperimentSpec));
        var definitions = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        var schema = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["title"] = "aTLAS reproduction experiment spec",
        };
        foreach (var (key, value) in ObjectSchema(SpecShape.Root, docs, definitions)) schema[key] = value?.DeepClone();
        schema["$defs"] = new JsonObject(definitions.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)d.Value)));
        return schema.ToJsonString(OutputJson).ReplaceLineEndings("\n") + "\n";
    }

    private static JsonObject ObjectSchema(SpecShape shape, XmlDocs docs, SortedDictionary<string, JsonObject> definitions)
    {
        // Reading a default needs an instance; required members are a compile-time rule that reflection may skip.
        var defaults = Activator.CreateInstance(shape.ClrType);
        var schema = new JsonObject();
        if (docs.Summary(shape.ClrType) is { } description) schema["description"] = description;
        schema["type"] = "object";
        schema["properties"] = new JsonObject(shape.Fields.Select(field =>
            KeyValuePair.Create(field.Key, (JsonNode?)PropertySchema(field, defaults, docs, definitions))));
        var required = shape.Fields.Where(f => f.Required).Select(f => (JsonNode?)f.Key).ToArray();
        if (required.Length > 0) schema["required"] = new JsonArray(required);
        schema["additionalProperties"] = false;
        return schema;
    }

    private static JsonObject PropertySchema(SpecField field, object? defaults, XmlDocs docs, SortedDictionary<string, JsonObject> definitions)
    {
        var schema = new JsonObject();
        var description = docs.Summary(field.Property)
            ?? (field.Shape.Kind == SpecKind.Object ? docs.Summary(field.Shape.ClrType) : null);
        if (description is not null) schema["description"] = description;
        foreach (var (key, value) in ValueSchema(field.Shape, docs, definitions)) schema[key] = value?.DeepClone();
        foreach (var rule in field.Rules)
        {
            var target = SpecRules.AppliesToItems(rule) && field.Shape.Kind is SpecKind.List or SpecKind.Map
                ? (JsonObject)schema[field.Shape.Kind == SpecKind.List ? "items" : "additionalProperties"]!
                : schema;
            SpecRules.Export(rule, target);
        }
        if (!field.Required && field.Property.GetValue(defaults) is { } defaultValue)
            schema["default"] = JsonSerializer.SerializeToNode(defaultValue, defaultValue.GetType(), DefaultValueJson);
        return schema;
    }

    private static JsonObject ValueSchema(SpecShape shape, XmlDocs docs, SortedDictionary<string, JsonObject> definitions)
    {
        if (shape.Kind == SpecKind.Object)
        {
            var name = shape.ClrType.Name;
            if (!definitions.ContainsKey(name)) definitions[name] = ObjectSchema(shape, docs, definitions);
            var reference = new JsonObject { ["$ref"] = $"#/$defs/{name}" };
            return shape.Nullable
                ? new JsonObject { ["anyOf"] = new JsonArray(reference, new JsonObject { ["type"] = "null" }) }
                : reference;
        }
        var type = shape.Kind switch
        {
            SpecKind.Boolean => "boolean",
            SpecKind.Enum => "string",
            SpecKind.Integer => "integer",
            SpecKind.Number => "number",
            SpecKind.String => "string",
            SpecKind.List => "array",
            _ => "object",
        };
        var schema = new JsonObject { ["type"] = shape.Nullable ? new JsonArray(type, "null") : type };
        if (shape.Kind == SpecKind.Enum)
        {
            var names = SpecNames.All(shape.ClrType).Select(n => (JsonNode?)JsonValue.Create(n));
            schema["enum"] = new JsonArray([.. names, .. shape.Nullable ? new JsonNode?[] { null } : []]);
        }
        if (shape.Kind == SpecKind.List) schema["items"] = ValueSchema(shape.Element!, docs, definitions);
        if (shape.Kind == SpecKind.Map) schema["additionalProperties"] = ValueSchema(shape.Element!, docs, definitions);
        return schema;
    }
}

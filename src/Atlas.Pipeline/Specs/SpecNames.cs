using System.Reflection;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Atlas.Pipeline.Specs;

/// <summary>
/// The one spelling of a typed spec choice (an enum value) wherever it appears as text: YAML specs, the JSON Schema,
/// lock parameters, result JSON, stage ids and table labels. The name is the member's snake_case form
/// (<c>ZeroShot</c> → <c>zero_shot</c>) unless <see cref="EnumMemberAttribute.Value"/> gives another (a name fixed by
/// earlier artifacts, such as <c>adamerging</c>).
/// </summary>
public static class SpecNames
{
    /// <summary>The spec spelling of <paramref name="value"/>.</summary>
    public static string Of<T>(T value) where T : struct, Enum => Table(typeof(T)).NameOf[value];

    /// <summary>The spec spelling of a boxed enum value.</summary>
    public static string Of(Enum value) => Table(value.GetType()).NameOf[value];

    /// <summary>Every spelling of <paramref name="enumType"/>, in declaration order.</summary>
    public static IReadOnlyList<string> All(Type enumType) => Table(enumType).Names;

    /// <summary>The value spelled <paramref name="name"/> (exact, case-sensitive), or null.</summary>
    public static object? Parse(Type enumType, string name) => Table(enumType).ValueOf.GetValueOrDefault(name);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, NameTable> Tables = new();

    private static NameTable Table(Type enumType) => Tables.GetOrAdd(enumType, type =>
    {
        if (!type.IsEnum) throw new ArgumentException($"{type} is not an enum", nameof(enumType));
        var fields = type.GetFields(BindingFlags.Public | BindingFlags.Static).OrderBy(f => f.MetadataToken).ToList();
        var names = fields.Select(f => f.GetCustomAttribute<EnumMemberAttribute>()?.Value ?? UnderscoredNamingConvention.Instance.Apply(f.Name)).ToList();
        var values = fields.Select(f => f.GetValue(null)!).ToList();
        return new NameTable(names, values.Zip(names).ToDictionary(p => p.First, p => p.Second), names.Zip(values).ToDictionary(p => p.First, p => p.Second));
    });

    private sealed record NameTable(IReadOnlyList<string> Names, Dictionary<object, string> NameOf, Dictionary<string, object> ValueOf);
}

/// <summary>
/// Writes and reads a spec enum as its <see cref="SpecNames"/> spelling in JSON (lock parameters, result files, schema
/// defaults), so a lock written before a choice became typed hashes the same. Put on each spec enum type.
/// </summary>
public sealed class SpecNameJsonConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert))!;

    private sealed class Converter<T> : JsonConverter<T> where T : struct, Enum
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString() ?? throw new JsonException($"expected one of {string.Join(", ", SpecNames.All(typeof(T)))}, got null");
            return SpecNames.Parse(typeof(T), text) is T value
                ? value
                : throw new JsonException($"'{text}' is not one of {string.Join(", ", SpecNames.All(typeof(T)))}");
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(SpecNames.Of(value));

        public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Read(ref reader, typeToConvert, options);

        public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WritePropertyName(SpecNames.Of(value));
    }
}

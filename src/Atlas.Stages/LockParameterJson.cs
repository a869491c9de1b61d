using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Atlas.Pipeline.Specs;

namespace Atlas.Stages;

/// <summary>
/// How a stage's lock parameters are written: snake_case keys, and spec fields marked
/// <see cref="OmittedFromLockAtDefaultAttribute"/> left out while they hold their default, so a field added to the spec
/// later does not make every recorded stage stale.
/// </summary>
public static class LockParameterJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { OmitMarkedDefaults } },
    };

    private static void OmitMarkedDefaults(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object) return;
        object? defaults = null;
        foreach (var property in type.Properties)
        {
            if (property.AttributeProvider is not PropertyInfo clr || clr.GetCustomAttribute<OmittedFromLockAtDefaultAttribute>() is null) continue;
            // The default is the property's initialiser, read from a fresh instance (required members are a compile-time rule).
            defaults ??= Activator.CreateInstance(type.Type);
            object? defaultValue = clr.GetValue(defaults);
            property.ShouldSerialize = (_, value) => !Equals(value, defaultValue);
        }
    }
}

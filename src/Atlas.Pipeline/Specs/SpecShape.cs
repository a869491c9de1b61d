using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Runtime.CompilerServices;
using YamlDotNet.Serialization.NamingConventions;

namespace Atlas.Pipeline.Specs;

/// <summary>
/// The shape of one spec value, read by reflection from the record types. It is the single description that both the
/// structural check (<see cref="SpecShapeCheck"/>) and the JSON Schema (<see cref="SpecSchema"/>) follow, so neither
/// can drift from the C# types.
/// </summary>
internal sealed class SpecShape
{
    private SpecShape(SpecKind kind, Type clrType, bool nullable, SpecShape? element, IReadOnlyList<SpecField> fields)
    {
        Kind = kind;
        ClrType = clrType;
        Nullable = nullable;
        Element = element;
        Fields = fields;
    }

    /// <summary>The shape of a whole spec file.</summary>
    public static SpecShape Root { get; } = ForRecord(typeof(ExperimentSpec));

    /// <summary>The shape of a record whose nested records come from the same assembly (the spec's, or a test's).</summary>
    public static SpecShape ForRecord(Type record) => Of(record, nullable: false, elementNullability: null, record.Assembly);

    public SpecKind Kind { get; }

    /// <summary>The C# type, with <see cref="Nullable{T}"/> unwrapped.</summary>
    public Type ClrType { get; }

    /// <summary>Whether YAML null (<c>~</c>, <c>null</c>, an empty value) is accepted.</summary>
    public bool Nullable { get; }

    /// <summary>Item shape of a list, value shape of a map; null otherwise.</summary>
    public SpecShape? Element { get; }

    /// <summary>Properties of an object, in declaration order; empty otherwise.</summary>
    public IReadOnlyList<SpecField> Fields { get; }

    private static SpecShape Of(Type type, bool nullable, NullabilityInfo? elementNullability, Assembly records)
    {
        if (System.Nullable.GetUnderlyingType(type) is { } underlying) return Of(underlying, nullable: true, null, records);
        if (type == typeof(int)) return Scalar(SpecKind.Integer);
        if (type == typeof(double)) return Scalar(SpecKind.Number);
        if (type == typeof(string)) return Scalar(SpecKind.String);
        if (type == typeof(bool)) return Scalar(SpecKind.Boolean);
        if (type.IsEnum) return Scalar(SpecKind.Enum);
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
            return Collection(SpecKind.List, elementNullability!.GenericTypeArguments[0]);
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) && type.GetGenericArguments()[0] == typeof(string))
            return Collection(SpecKind.Map, elementNullability!.GenericTypeArguments[1]);
        if (type.IsClass && type.Assembly == records)
            return new SpecShape(SpecKind.Object, type, nullable, null, FieldsOf(type, records));
        throw new NotSupportedException($"spec property type {type} has no YAML shape; use int, double, string, bool, an enum, List<T>, Dictionary<string, T> or a spec record");

        SpecShape Scalar(SpecKind kind) => new(kind, type, nullable, null, []);

        SpecShape Collection(SpecKind kind, NullabilityInfo item) =>
            new(kind, type, nullable, Of(item.Type, item.ReadState == NullabilityState.Nullable, item, records), []);
    }

    private static List<SpecField> FieldsOf(Type record, Assembly records)
    {
        var nullability = new NullabilityInfoContext();
        return record.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .OrderBy(p => p.MetadataToken)
            .Select(p =>
            {
                var info = nullability.Create(p);
                return new SpecField(
                    UnderscoredNamingConvention.Instance.Apply(p.Name),
                    p,
                    Of(p.PropertyType, info.ReadState == NullabilityState.Nullable, info, records),
                    p.IsDefined(typeof(RequiredMemberAttribute)),
                    p.GetCustomAttributes<ValidationAttribute>().ToList());
            })
            .ToList();
    }
}

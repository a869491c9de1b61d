using System.ComponentModel.DataAnnotations;
using System.Reflection;

namespace Atlas.Pipeline.Specs;

/// <summary>One property of a spec record as it appears in YAML.</summary>
/// <param name="Key">The snake_case key.</param>
/// <param name="Property">The C# property it binds to.</param>
/// <param name="Shape">The value's shape.</param>
/// <param name="Required">Declared <c>required</c>: the key must be present.</param>
/// <param name="Rules">Validation attributes on the property.</param>
internal sealed record SpecField(
    string Key,
    PropertyInfo Property,
    SpecShape Shape,
    bool Required,
    IReadOnlyList<ValidationAttribute> Rules);

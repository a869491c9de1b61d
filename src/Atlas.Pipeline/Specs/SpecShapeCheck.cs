using System.ComponentModel.DataAnnotations;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Atlas.Pipeline.Specs;

/// <summary>
/// Checks a spec's node tree against <see cref="SpecShape.Root"/> before deserialization: unknown keys (with a
/// suggestion), missing required keys, nulls, wrong value types and the attribute rules. Unlike YamlDotNet, which stops
/// at the first problem without a path, it reports every problem with its field path.
/// </summary>
internal sealed class SpecShapeCheck
{
    private readonly SpecDocument document;
    private readonly List<SpecError> errors = [];

    private SpecShapeCheck(SpecDocument document) => this.document = document;

    public static List<SpecError> Run(SpecDocument document) => Run(document, SpecShape.Root);

    /// <summary>Checks <paramref name="document"/> against any record shape (tests use their own records).</summary>
    public static List<SpecError> Run(SpecDocument document, SpecShape shape)
    {
        var check = new SpecShapeCheck(document);
        check.Check(document.Root, shape, FieldPath.Root, []);
        return check.errors;
    }

    private void Check(YamlNode node, SpecShape shape, FieldPath path, IReadOnlyList<ValidationAttribute> rules)
    {
        if (node is YamlScalarNode scalar && SpecYaml.IsNull(scalar))
        {
            if (!shape.Nullable) Fail(node, path, "a value is required");
            return;
        }
        switch (shape.Kind)
        {
            case SpecKind.Integer or SpecKind.Number or SpecKind.String or SpecKind.Boolean or SpecKind.Enum:
                CheckScalar(node, shape, path, rules);
                break;
            case SpecKind.List when node is YamlSequenceNode sequence:
                CheckCount(node, path, rules, sequence.Children.ToList());
                for (int i = 0; i < sequence.Children.Count; i++)
                    Check(sequence.Children[i], shape.Element!, path.Index(i), ItemRules(rules));
                break;
            case SpecKind.Map when node is YamlMappingNode map:
                CheckCount(node, path, rules, map.Children.ToList());
                foreach (var (key, value) in map.Children)
                    if (KeyText(key, path) is { } name) Check(value, shape.Element!, path.Key(name), ItemRules(rules));
                break;
            case SpecKind.Object when node is YamlMappingNode map:
                CheckObject(map, shape, path);
                break;
            default:
                Fail(node, path, $"expected {Describe(shape.Kind)}, got {Describe(node)}");
                break;
        }
    }

    private void CheckScalar(YamlNode node, SpecShape shape, FieldPath path, IReadOnlyList<ValidationAttribute> rules)
    {
        if (node is not YamlScalarNode scalar)
        {
            Fail(node, path, $"expected {Describe(shape.Kind)}, got {Describe(node)}");
            return;
        }
        if (shape.Kind == SpecKind.Enum)
        {
            CheckChoice(scalar, shape.ClrType, path);
            return;
        }
        object value;
        try
        {
            value = shape.Kind == SpecKind.String ? scalar.Value! : SpecYaml.ConvertScalar(scalar, shape.ClrType)!;
        }
        catch (YamlException)
        {
            Fail(node, path, $"expected {Describe(shape.Kind)}, got {Describe(node)}");
            return;
        }
        foreach (var rule in rules)
            if (SpecRules.Violation(rule, value) is { } problem) Fail(node, path, problem);
    }

    /// <summary>A typed choice: the exact spec name of one enum value, else the known names and the nearest one.</summary>
    private void CheckChoice(YamlScalarNode scalar, Type enumType, FieldPath path)
    {
        var text = scalar.Value ?? "";
        if (SpecNames.Parse(enumType, text) is not null) return;
        var known = SpecNames.All(enumType);
        var hint = NameSuggestion.Closest(text, known) is { } suggestion ? $"; did you mean '{suggestion}'?" : "";
        Fail(scalar, path, $"must be one of {string.Join(", ", known)}; got '{text}'{hint}");
    }

    private void CheckCount(YamlNode node, FieldPath path, IReadOnlyList<ValidationAttribute> rules, System.Collections.ICollection items)
    {
        foreach (var rule in rules.Where(r => !SpecRules.AppliesToItems(r)))
            if (SpecRules.Violation(rule, items) is { } problem) Fail(node, path, problem);
    }

    private void CheckObject(YamlMappingNode map, SpecShape shape, FieldPath path)
    {
        var present = new HashSet<string>();
        foreach (var (key, value) in map.Children)
        {
            if (KeyText(key, path) is not { } name) continue;
            var field = shape.Fields.FirstOrDefault(f => f.Key == name);
            if (field is null)
            {
                var known = shape.Fields.Select(f => f.Key).ToList();
                var hint = NameSuggestion.Closest(name, known) is { } suggestion
                    ? $"did you mean '{suggestion}'?"
                    : $"known keys: {string.Join(", ", known)}";
                Fail(key, path.Key(name), $"unknown key; {hint}");
                continue;
            }
            present.Add(name);
            Check(value, field.Shape, path.Key(name), field.Rules);
        }
        foreach (var missing in shape.Fields.Where(f => f.Required && !present.Contains(f.Key)))
            Fail(map, path.Key(missing.Key), "required key is missing");
    }

    /// <summary>The key's text, or null (after reporting) when the key is not a plain scalar.</summary>
    private string? KeyText(YamlNode key, FieldPath path)
    {
        if (key is YamlScalarNode { Value: { } text } scalar && !SpecYaml.IsNull(scalar)) return text;
        Fail(key, path, $"keys must be names, got {Describe(key)}");
        return null;
    }

    private static IReadOnlyList<ValidationAttribute> ItemRules(IReadOnlyList<ValidationAttribute> rules) =>
        rules.Where(SpecRules.AppliesToItems).ToList();

    private void Fail(YamlNode node, FieldPath path, string problem) => errors.Add(document.Error(node, path, problem));

    private static string Describe(SpecKind kind) => kind switch
    {
        SpecKind.Integer => "an integer",
        SpecKind.Number => "a number",
        SpecKind.String => "a string",
        SpecKind.Boolean => "true or false",
        SpecKind.Enum => "a name",
        SpecKind.List => "a list",
        _ => "a mapping",
    };

    private static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode scalar => $"'{scalar.Value}'",
        YamlSequenceNode => "a list",
        _ => "a mapping",
    };
}

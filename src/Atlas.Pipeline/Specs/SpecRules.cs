using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Atlas.Pipeline.Specs;

/// <summary>
/// The validation attributes the spec records may carry, each with its check and its JSON Schema keywords side by
/// side so the loader and the editor agree. Any other attribute fails loudly instead of being silently ignored.
/// </summary>
internal static class SpecRules
{
    /// <summary>
    /// Count rules constrain a list or map itself; the others, when placed on a list or map, constrain each item.
    /// </summary>
    public static bool AppliesToItems(ValidationAttribute rule) => rule is not (LengthAttribute or MinLengthAttribute);

    /// <summary>Why <paramref name="value"/> breaks <paramref name="rule"/>, or null when it does not.</summary>
    public static string? Violation(ValidationAttribute rule, object value)
    {
        switch (rule)
        {
            case RangeAttribute range:
            {
                double number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                double min = Convert.ToDouble(range.Minimum, CultureInfo.InvariantCulture);
                double max = Convert.ToDouble(range.Maximum, CultureInfo.InvariantCulture);
                bool aboveMin = range.MinimumIsExclusive ? number > min : number >= min;
                bool belowMax = IsUnbounded(range) || (range.MaximumIsExclusive ? number < max : number <= max);
                if (aboveMin && belowMax) return null;
                var bounds = $"{(range.MinimumIsExclusive ? ">" : ">=")} {Format(min)}";
                if (!IsUnbounded(range)) bounds += $" and {(range.MaximumIsExclusive ? "<" : "<=")} {Format(max)}";
                return $"must be {bounds}, got {Format(number)}";
            }
            case AllowedValuesAttribute allowed:
                return allowed.Values.Contains(value)
                    ? null
                    : $"must be one of {string.Join(", ", allowed.Values)}; got '{value}'";
            case LengthAttribute length:
            {
                int count = ((ICollection)value).Count;
                if (count >= length.MinimumLength && count <= length.MaximumLength) return null;
                return length.MinimumLength == length.MaximumLength
                    ? $"must have exactly {length.MinimumLength} values, got {count}"
                    : $"must have {length.MinimumLength} to {length.MaximumLength} values, got {count}";
            }
            case MinLengthAttribute minLength:
            {
                int count = ((ICollection)value).Count;
                if (count >= minLength.Length) return null;
                return minLength.Length == 1 ? "must not be empty" : $"must have at least {minLength.Length} values, got {count}";
            }
            case RegularExpressionAttribute pattern:
            {
                var text = (string)value;
                var match = Regex.Match(text, pattern.Pattern);
                // Whole-string match, as RegularExpressionAttribute itself requires.
                if (match.Success && match.Index == 0 && match.Length == text.Length) return null;
                return $"{pattern.ErrorMessage ?? $"must match {pattern.Pattern}"}; got '{text}'";
            }
            default:
                throw Unsupported(rule);
        }
    }

    /// <summary>Adds the JSON Schema keywords that express <paramref name="rule"/> to <paramref name="schema"/>.</summary>
    public static void Export(ValidationAttribute rule, JsonObject schema)
    {
        switch (rule)
        {
            case RangeAttribute range:
                schema[range.MinimumIsExclusive ? "exclusiveMinimum" : "minimum"] = Number(range.Minimum);
                if (!IsUnbounded(range)) schema[range.MaximumIsExclusive ? "exclusiveMaximum" : "maximum"] = Number(range.Maximum);
                break;
            case AllowedValuesAttribute allowed:
                schema["enum"] = new JsonArray(allowed.Values.Select(v => JsonValue.Create(v?.ToString())).ToArray<JsonNode?>());
                break;
            case LengthAttribute length:
                schema["minItems"] = length.MinimumLength;
                schema["maxItems"] = length.MaximumLength;
                break;
            case MinLengthAttribute minLength:
                schema["minItems"] = minLength.Length;
                break;
            case RegularExpressionAttribute pattern:
                schema["pattern"] = pattern.Pattern;
                break;
            default:
                throw Unsupported(rule);
        }
    }

    private static bool IsUnbounded(RangeAttribute range) => range.Maximum is int.MaxValue or double.PositiveInfinity;

    private static JsonNode Number(object bound) =>
        bound is int integer ? JsonValue.Create(integer) : JsonValue.Create(Convert.ToDouble(bound, CultureInfo.InvariantCulture));

    private static string Format(double number) => number.ToString(CultureInfo.InvariantCulture);

    private static NotSupportedException Unsupported(ValidationAttribute rule) =>
        new($"{rule.GetType().Name} is not supported on spec properties; extend {nameof(SpecRules)} to check and export it");
}

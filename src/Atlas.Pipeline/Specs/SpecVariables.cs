using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Atlas.Pipeline.Specs;

/// <summary>
/// Replaces each <c>${NAME}</c> in a spec's scalar values (never in keys) by the environment variable NAME
/// (<see cref="SpecContext.Variables"/>), so a committed spec names a machine's paths once, e.g.
/// <c>root: ${ATLAS_DATA}</c>, and a user sets the variable instead of editing it. The replacement is made in the node
/// tree, before the shape check, and every error keeps the line and column of the value as written. An unset or empty
/// variable is an error at its value; at <see cref="SpecCheckLevel.GraphOnly"/> it stays literal instead. There is no
/// escape: a <c>$</c> not followed by <c>{</c> is kept as it is.
/// </summary>
internal sealed partial class SpecVariables
{
    private readonly SpecDocument document;
    private readonly SpecContext context;
    private readonly List<SpecError> errors = [];
    private readonly Dictionary<long, string> values = [];
    private readonly SortedSet<string> leftUnset = new(StringComparer.Ordinal);

    // An anchored value reached again through an alias is replaced once.
    private readonly HashSet<YamlNode> visited = new(ReferenceEqualityComparer.Instance);

    private SpecVariables(SpecDocument document, SpecContext context)
    {
        this.document = document;
        this.context = context;
    }

    /// <summary>The problems (malformed references; unset or empty variables unless planning), one per value.</summary>
    public IReadOnlyList<SpecError> Errors => errors;

    /// <summary>The variables left literal at <see cref="SpecCheckLevel.GraphOnly"/>, sorted.</summary>
    public IReadOnlyCollection<string> LeftUnset => leftUnset;

    /// <summary>Replaces the references in <paramref name="document"/>'s scalar values in place.</summary>
    public static SpecVariables Apply(SpecDocument document, SpecContext context)
    {
        var substitution = new SpecVariables(document, context);
        substitution.Visit(document.Root, FieldPath.Root);
        return substitution;
    }

    /// <summary>The events of <paramref name="parser"/> (over the same text as the document) with the replaced values,
    /// at their original positions: what the deserializer reads, so it sees what the checks saw.</summary>
    public IParser Substituted(IParser parser) => new SubstitutingParser(parser, values);

    private void Visit(YamlNode node, FieldPath path)
    {
        if (!visited.Add(node)) return;
        switch (node)
        {
            case YamlScalarNode scalar:
                Replace(scalar, path);
                break;
            case YamlSequenceNode sequence:
                for (int i = 0; i < sequence.Children.Count; i++) Visit(sequence.Children[i], path.Index(i));
                break;
            case YamlMappingNode mapping:
                // A key that is not a plain name is the shape check's to report.
                foreach (var (key, value) in mapping.Children)
                    if (key is YamlScalarNode { Value: { } name }) Visit(value, path.Key(name));
                break;
        }
    }

    private void Replace(YamlScalarNode scalar, FieldPath path)
    {
        if (scalar.Value is not { } text || !text.Contains("${", StringComparison.Ordinal)) return;
        var replaced = new StringBuilder();
        int copied = 0;
        bool failed = false;
        foreach (Match reference in Reference().Matches(text))
        {
            replaced.Append(text, copied, reference.Index - copied);
            copied = reference.Index + reference.Length;
            string name = reference.Groups["name"].Value;
            if (!reference.Groups["close"].Success || !Name().IsMatch(name))
            {
                Fail(scalar, path, $"malformed variable reference '{reference.Value}' in '{text}': write ${{NAME}}, NAME made of letters, digits and underscores, not starting with a digit");
                failed = true;
                continue;
            }
            string? value = context.Variables(name);
            if (string.IsNullOrEmpty(value))
            {
                if (context.Level == SpecCheckLevel.GraphOnly)
                {
                    leftUnset.Add(name);
                    replaced.Append(reference.Value);
                    continue;
                }
                Fail(scalar, path, $"environment variable {name} is {(value is null ? "not set" : "empty")}; '{text}' needs it (export {name}=...)");
                failed = true;
                continue;
            }
            replaced.Append(value);
        }
        replaced.Append(text, copied, text.Length - copied);
        if (failed) return;
        scalar.Value = replaced.ToString();
        values[scalar.Start.Index] = scalar.Value;
    }

    private void Fail(YamlNode node, FieldPath path, string problem) => errors.Add(document.Error(node, path, problem));

    /// <summary><c>${</c>, then anything up to the closing brace, which a malformed reference lacks.</summary>
    [GeneratedRegex(@"\$\{(?<name>[^}]*)(?<close>\})?")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Name();

    /// <summary>Passes another parser's events on, each scalar at a replaced position carrying its replaced value.</summary>
    private sealed class SubstitutingParser(IParser inner, IReadOnlyDictionary<long, string> values) : IParser
    {
        public ParsingEvent? Current { get; private set; }

        public bool MoveNext()
        {
            bool moved = inner.MoveNext();
            Current = inner.Current is Scalar scalar && values.TryGetValue(scalar.Start.Index, out var value)
                ? new Scalar(scalar.Anchor, scalar.Tag, value, scalar.Style, scalar.IsPlainImplicit, scalar.IsQuotedImplicit, scalar.Start, scalar.End)
                : inner.Current;
            return moved;
        }
    }
}

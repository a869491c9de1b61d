using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Atlas.Pipeline.Specs;

/// <summary>
/// Walks a YAML event stream keeping track of the field path, for what the representation model cannot report with a
/// path: duplicate keys (it throws on the first one, pathless), syntax errors, and the position in any other
/// <see cref="YamlException"/>.
/// </summary>
internal static class YamlEventScan
{
    /// <summary>Every duplicate key, or the syntax error that stops parsing; empty for well-formed YAML.</summary>
    public static List<SpecError> Problems(string yaml, string file)
    {
        var errors = new List<SpecError>();
        var path = FieldPath.Root;
        var reached = Mark.Empty;
        try
        {
            foreach (var node in Walk(yaml))
            {
                path = node.Path;
                reached = node.Event.End;
                if (node.FirstDefinition is { } first)
                    errors.Add(Error(file, node.Event.Start, path, $"duplicate key (first given at line {first.Line}); YAML would silently keep only the last"));
            }
        }
        catch (YamlException e)
        {
            errors.Add(Error(file, e.Start, path, $"invalid YAML: {e.Message}"));
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way, without a position, on some unterminated flow collections.
            errors.Add(Error(file, reached, path, "invalid YAML after this point; is a bracket, brace or quote left open?"));
        }
        return errors;
    }

    /// <summary>Locates any YamlDotNet failure by its mark and the path of the node there.</summary>
    public static SpecError ToSpecError(YamlException exception, string yaml, string file) =>
        Error(file, exception.Start, PathAt(yaml, exception.Start), exception.InnerException?.Message ?? exception.Message);

    private static FieldPath PathAt(string yaml, Mark mark)
    {
        var path = FieldPath.Root;
        try
        {
            foreach (var node in Walk(yaml))
            {
                if (node.Event.Start.Index > mark.Index) break;
                path = node.Path;
            }
        }
        catch (YamlException)
        {
            // The path reached before the parser gave up is the best location there is.
        }
        return path;
    }

    private static SpecError Error(string file, Mark mark, FieldPath path, string problem) =>
        new(file, (int)mark.Line, (int)mark.Column, path.ToString(), problem);

    /// <summary>Every node event with its path; mapping keys carry the path of the entry they name.</summary>
    private static IEnumerable<ScannedNode> Walk(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var open = new List<Container>();
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case DocumentStart:
                    open.Clear();
                    break;
                case NodeEvent or AnchorAlias:
                {
                    var node = parser.Current;
                    var parent = open.Count > 0 ? open[^1] : null;
                    bool isKey = parent is { IsMapping: true, AwaitingKey: true };
                    Mark? firstDefinition = null;
                    if (isKey)
                    {
                        // Complex (non-scalar) keys do not occur in specs; they are named '?' for location purposes.
                        var key = (node as Scalar)?.Value ?? "?";
                        if (!parent!.Keys.TryAdd(key, node.Start)) firstDefinition = parent.Keys[key];
                        parent.Key = key;
                        parent.AwaitingKey = false;
                    }
                    else if (parent is { IsMapping: false })
                    {
                        parent.Index++;
                    }
                    yield return new ScannedNode(node, PathOf(open), firstDefinition);
                    if (node is MappingStart or SequenceStart)
                        open.Add(new Container(node is MappingStart, isKey));
                    else if (!isKey && parent is { IsMapping: true })
                        parent.AwaitingKey = true;
                    break;
                }
                case MappingEnd or SequenceEnd:
                {
                    var closed = open[^1];
                    open.RemoveAt(open.Count - 1);
                    if (!closed.IsKey && open.Count > 0 && open[^1].IsMapping) open[^1].AwaitingKey = true;
                    break;
                }
            }
        }
    }

    private static FieldPath PathOf(List<Container> open)
    {
        var path = FieldPath.Root;
        foreach (var container in open)
        {
            if (container.IsMapping && container.Key is not null) path = path.Key(container.Key);
            else if (!container.IsMapping && container.Index >= 0) path = path.Index(container.Index);
        }
        return path;
    }

    private sealed record ScannedNode(ParsingEvent Event, FieldPath Path, Mark? FirstDefinition);

    /// <summary>An open mapping or sequence and where the walk is inside it.</summary>
    private sealed class Container(bool isMapping, bool isKey)
    {
        public bool IsMapping { get; } = isMapping;

        /// <summary>Whether the container itself is a (complex) mapping key rather than a value.</summary>
        public bool IsKey { get; } = isKey;

        public bool AwaitingKey { get; set; } = true;

        public string? Key { get; set; }

        public int Index { get; set; } = -1;

        public Dictionary<string, Mark> Keys { get; } = [];
    }
}

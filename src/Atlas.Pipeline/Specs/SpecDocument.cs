using YamlDotNet.RepresentationModel;

namespace Atlas.Pipeline.Specs;

/// <summary>A parsed spec file's node tree, used to put a line and column on every error.</summary>
internal sealed class SpecDocument(string file, YamlNode root)
{
    public string File { get; } = file;

    public YamlNode Root { get; } = root;

    /// <summary>An error located at <paramref name="node"/>.</summary>
    public SpecError Error(YamlNode node, FieldPath path, string problem) =>
        new(File, (int)node.Start.Line, (int)node.Start.Column, path.ToString(), problem);

    /// <summary>
    /// An error located at the node of <paramref name="path"/>, or at its nearest written ancestor when the value came
    /// from a default.
    /// </summary>
    public SpecError Error(FieldPath path, string problem) => Error(Find(path), path, problem);

    private YamlNode Find(FieldPath path)
    {
        if (path.Parent is null) return Root;
        var parent = Find(path.Parent);
        YamlNode? child = (parent, path.KeyName) switch
        {
            (YamlMappingNode mapping, { } key) => mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null,
            (YamlSequenceNode sequence, null) when path.ItemIndex < sequence.Children.Count => sequence.Children[path.ItemIndex],
            _ => null,
        };
        return child ?? parent;
    }
}

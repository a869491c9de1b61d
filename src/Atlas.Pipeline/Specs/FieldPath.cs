namespace Atlas.Pipeline.Specs;

/// <summary>An immutable path into a spec, printed the way users write it: <c>tasks[3].finetune.lr</c>.</summary>
internal sealed class FieldPath
{
    public static readonly FieldPath Root = new(null, null, -1);

    private FieldPath(FieldPath? parent, string? key, int index)
    {
        Parent = parent;
        KeyName = key;
        ItemIndex = index;
    }

    public FieldPath? Parent { get; }

    /// <summary>The mapping key of the last segment, or null when it is a list index (or this is the root).</summary>
    public string? KeyName { get; }

    /// <summary>The list index of the last segment, or -1.</summary>
    public int ItemIndex { get; }

    public FieldPath Key(string key) => new(this, key, -1);

    public FieldPath Index(int index) => new(this, null, index);

    public override string ToString()
    {
        if (Parent is null) return "(root)";
        var prefix = Parent.Parent is null ? "" : Parent.ToString();
        return KeyName is null ? $"{prefix}[{ItemIndex}]" : prefix.Length == 0 ? KeyName : $"{prefix}.{KeyName}";
    }
}

namespace Atlas.Pipeline.Specs;

/// <summary>The YAML/JSON shape of a spec value.</summary>
internal enum SpecKind
{
    Integer,
    Number,
    String,

    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,

    /// <summary>One of a C# enum's names (<see cref="SpecNames"/>).</summary>
    Enum,
    List,
    Map,
    Object,
}

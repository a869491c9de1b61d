namespace Atlas.Pipeline.Specs;

/// <summary>The YAML/JSON shape of a spec value.</summary>
internal enum SpecKind
{
    Integer,
    Number,
    String,
    List,
    Map,
    Object,
}

using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using YamlDotNet.Serialization.NamingConventions;

namespace Atlas.Pipeline.Specs;

/// <summary>
/// The compiler-generated XML documentation of this assembly, as plain text, so the JSON Schema's descriptions are the
/// doc comments themselves rather than a copy that drifts.
/// </summary>
internal sealed partial class XmlDocs
{
    private readonly Dictionary<string, XElement> members;

    private XmlDocs(Dictionary<string, XElement> members) => this.members = members;

    /// <exception cref="FileNotFoundException">The assembly was built without its documentation file.</exception>
    public static XmlDocs ForAssemblyOf(Type type)
    {
        var path = Path.ChangeExtension(type.Assembly.Location, ".xml");
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} not found: the schema's descriptions come from the assembly's XML documentation (GenerateDocumentationFile)", path);
        var members = XDocument.Load(path).Descendants("member")
            .ToDictionary(m => (string)m.Attribute("name")!, m => m);
        return new XmlDocs(members);
    }

    public string? Summary(Type type) => Summary($"T:{type.FullName}");

    public string? Summary(PropertyInfo property) => Summary($"P:{property.DeclaringType!.FullName}.{property.Name}");

    private string? Summary(string memberId)
    {
        if (!members.TryGetValue(memberId, out var member)) return null;
        if (member.Element("inheritdoc")?.Attribute("cref")?.Value is { } inherited) return Summary(inherited);
        return member.Element("summary") is { } summary ? PlainText(summary) : null;
    }

    private static string PlainText(XElement summary)
    {
        var text = string.Concat(summary.Nodes().Select(node => node switch
        {
            XText t => t.Value,
            XElement { Name.LocalName: "see" } see => CrefName((string?)see.Attribute("cref") ?? ""),
            XElement e => e.Value,
            _ => "",
        }));
        return Whitespace().Replace(text, " ").Trim();
    }

    /// <summary>Properties by their YAML key (<c>P:...ExperimentSpec.Templates</c> → <c>templates</c>), types by name.</summary>
    private static string CrefName(string cref)
    {
        var name = cref[(cref.LastIndexOf('.') + 1)..];
        return cref.StartsWith("P:", StringComparison.Ordinal) ? UnderscoredNamingConvention.Instance.Apply(name) : name;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

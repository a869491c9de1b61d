using System.Reflection;
using System.Text.Json.Nodes;

namespace Atlas.Stages;

/// <summary>
/// Versions of the packages that shape numeric results, read from the running application's <c>.deps.json</c> (what
/// was actually restored and loaded), for lock records.
/// </summary>
public static class PackageVersions
{
    private static readonly string[] Tracked = ["TorchSharp", "libtorch-cpu-linux-x64"];

    public static IReadOnlyDictionary<string, string> Current { get; } = Read();

    private static Dictionary<string, string> Read()
    {
        var versions = new Dictionary<string, string> { [".NET"] = Environment.Version.ToString() };
        var entry = Assembly.GetEntryAssembly()?.GetName().Name;
        var depsFile = Path.Combine(AppContext.BaseDirectory, $"{entry}.deps.json");
        if (entry is null || !File.Exists(depsFile)) return versions;
        var libraries = JsonNode.Parse(File.ReadAllText(depsFile))?["libraries"]?.AsObject();
        foreach (var key in libraries?.Select(l => l.Key) ?? [])
        {
            var slash = key.IndexOf('/');
            if (slash > 0 && Tracked.Contains(key[..slash])) versions[key[..slash]] = key[(slash + 1)..];
        }
        return versions;
    }
}

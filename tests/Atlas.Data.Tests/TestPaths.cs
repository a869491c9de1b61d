namespace Atlas.Data.Tests;

/// <summary>Locations the tests read from and a disposable scratch folder.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Atlas.Repro.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"No Atlas.Repro.sln above {AppContext.BaseDirectory}.");
    });

    public static string RepoRoot => Root.Value;

    public static string MiniDataRoot => Path.Combine(RepoRoot, "src", "Atlas.Data", "Mini");
}

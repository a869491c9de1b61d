namespace Atlas.Pipeline.Tests;

/// <summary>The checkout the tests run from, for tests that check committed files.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "Atlas.Repro.sln"))) return folder.FullName;
        throw new InvalidOperationException($"no Atlas.Repro.sln above {AppContext.BaseDirectory}");
    }
}

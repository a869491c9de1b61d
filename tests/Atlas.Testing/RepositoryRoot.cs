namespace Atlas.Testing;

/// <summary>The checkout the tests run from (the folder holding <c>Atlas.Repro.sln</c>), for its committed files.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    /// <summary>The committed mini data folder, absolute.</summary>
    public static string MiniData { get; } = System.IO.Path.Combine(Path, "src", "Atlas.Data", "Mini");

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "Atlas.Repro.sln"))) return folder.FullName;
        throw new InvalidOperationException($"no Atlas.Repro.sln above {AppContext.BaseDirectory}");
    }
}

namespace Atlas.Cli.Tests;

/// <summary>
/// Every verb's exit code and message: the error paths (missing spec, a typo in a spec, an unknown stage, a missing
/// option, no or an unknown verb) and the success paths of the cheap verbs. Each test works in its own folder holding a
/// copy of experiments/mini.yaml whose data root points at the committed mini data; no stage runs. The test classes
/// share this base and run in parallel.
/// </summary>
public abstract class CliTestFolder : IDisposable
{
    protected static readonly string[] Verbs = ["plan", "run", "validate", "verify", "approve", "clean", "audit", "trace", "execute", "crate", "import-mini-data", "bench", "convert", "inspect", "tokenize", "embed"];

    protected readonly TempDirectory folder = new();

    protected CliTestFolder()
    {
        var mini = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "experiments", "mini.yaml"));
        const string dataRoot = "root: src/Atlas.Data/Mini";
        Assert.Contains(dataRoot, mini);
        File.WriteAllText(folder.File("mini.yaml"), mini.Replace(dataRoot, $"root: \"{RepositoryRoot.MiniData.Replace('\\', '/')}\"", StringComparison.Ordinal));
    }

    public void Dispose() => folder.Dispose();

    protected AtlasResult Atlas(params string[] args) => AtlasProcess.Run(folder.Path, args);
}

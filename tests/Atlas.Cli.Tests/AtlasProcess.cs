using System.Diagnostics;

namespace Atlas.Cli.Tests;

/// <summary>The exit code and both output streams of one <c>atlas</c> run.</summary>
public sealed record AtlasResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

/// <summary>
/// Runs the built <c>atlas</c> (src/Atlas.Cli, same configuration as these tests) in a child process, the way the Cake
/// build and a user run it. A child process keeps the verbs' console output and libtorch out of the test process.
/// </summary>
internal static class AtlasProcess
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>atlas.dll: src/Atlas.Cli/bin/… with the same bin/configuration/framework/runtime tail as this assembly.</summary>
    public static string Dll { get; } = Locate();

    public static AtlasResult Run(string workingDirectory, params string[] args) => Run(workingDirectory, new Dictionary<string, string?>(), args);

    /// <summary>Runs with <paramref name="environment"/> set in the child's environment (null removes a variable).</summary>
    public static AtlasResult Run(string workingDirectory, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"atlas {string.Join(' ', args)} ran longer than {Timeout}");
        }
        return new AtlasResult(process.ExitCode, output.Result, error.Result);
    }

    private static string Locate()
    {
        var testProject = Path.Combine(RepositoryRoot.Path, "tests", "Atlas.Cli.Tests");
        var tail = Path.GetRelativePath(testProject, AppContext.BaseDirectory);
        var dll = Path.Combine(RepositoryRoot.Path, "src", "Atlas.Cli", tail, "atlas.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"{dll}: build src/Atlas.Cli first", dll);
    }
}

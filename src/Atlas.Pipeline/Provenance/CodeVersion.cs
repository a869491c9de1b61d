using System.ComponentModel;
using System.Diagnostics;

namespace Atlas.Pipeline.Provenance;

/// <summary>The code a stage ran with.</summary>
/// <param name="Commit">Git commit hash; null outside a git checkout or without git.</param>
/// <param name="Dirty">
/// Whether tracked files were modified or untracked files existed (both may be compiled in); null when unknown.
/// </param>
public sealed record CodeVersion(string? Commit, bool? Dirty)
{
    private static readonly TimeSpan GitTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Asks git about <paramref name="repositoryRoot"/>; never throws, unknown parts stay null.</summary>
    public static CodeVersion Detect(string repositoryRoot)
    {
        var commit = Git(repositoryRoot, "rev-parse", "HEAD")?.Trim();
        var status = commit is null ? null : Git(repositoryRoot, "status", "--porcelain");
        return new CodeVersion(string.IsNullOrEmpty(commit) ? null : commit, status is null ? null : status.Length > 0);
    }

    /// <summary>Standard output of a successful git command, or null.</summary>
    private static string? Git(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(start);
            if (process is null) return null;
            // Both pipes are drained concurrently so a chatty stderr cannot block the process.
            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(GitTimeout))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }
            return process.ExitCode == 0 ? output.Result : null;
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or IOException)
        {
            // No git on this machine, or the folder is gone: provenance is recorded as unknown.
            return null;
        }
    }
}

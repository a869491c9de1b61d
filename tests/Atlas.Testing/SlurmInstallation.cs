namespace Atlas.Testing;

/// <summary>
/// Whether Debian's Slurm and munge are installed, and installing them when they are not and the tests run as root with
/// apt-get (the project's own CI setup; <c>build/install-slurm.sh</c> does the same by hand). Installed at most once per
/// test process; a lock file keeps test assemblies that run in parallel from racing apt.
/// </summary>
public static class SlurmInstallation
{
    /// <summary>The Debian packages: the two daemons, their clients and munge (9 packages with their dependencies).</summary>
    public static readonly IReadOnlyList<string> Packages = ["munge", "slurmd", "slurmctld", "slurm-client"];

    /// <summary>The programs the fixture runs.</summary>
    public static readonly IReadOnlyList<string> Programs = ["munged", "slurmctld", "slurmd", "sbatch", "scontrol", "sinfo", "squeue", "scancel"];

    /// <summary>Daemons live in sbin, which an unprivileged user's PATH often lacks.</summary>
    private static readonly string[] ExtraFolders = ["/usr/sbin", "/sbin", "/usr/local/sbin"];

    private static readonly string LockPath = Path.Combine(Path.GetTempPath(), "atlas-slurm-install.lock");

    private static readonly Lazy<string?> Installed = new(InstallWhenMissing, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Null when Slurm is usable (installing it first if it was missing and could be); else why not.</summary>
    public static string? EnsureInstalled() => Installed.Value;

    /// <summary>The full path of <paramref name="program"/> on PATH or in an sbin folder; null when absent.</summary>
    public static string? Find(string program)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(ExtraFolders);
        return folders.Select(folder => Path.Combine(folder, program)).FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// Why Slurm cannot be used, from what is known without running anything: null when nothing is missing, or when what
    /// is missing can be installed (root with apt-get). Pure, so the skip reasons are tested directly.
    /// </summary>
    public static string? ReasonUnusable(IReadOnlyCollection<string> missingPrograms, bool isLinux, bool isRoot, bool hasAptGet)
    {
        if (!isLinux) return "needs Linux (Debian's Slurm packages)";
        if (missingPrograms.Count == 0) return null;
        string missing = string.Join(", ", missingPrograms);
        if (!isRoot) return $"Slurm is not installed ({missing} missing) and installing it needs root: run build/install-slurm.sh";
        if (!hasAptGet) return $"Slurm is not installed ({missing} missing) and there is no apt-get to install {string.Join(' ', Packages)}";
        return null;
    }

    private static IReadOnlyList<string> MissingPrograms() => Programs.Where(program => Find(program) is null).ToList();

    private static string? InstallWhenMissing()
    {
        var missing = MissingPrograms();
        bool isRoot = OperatingSystem.IsLinux() && Environment.UserName == "root";
        if (ReasonUnusable(missing, OperatingSystem.IsLinux(), isRoot, Find("apt-get") is not null) is { } reason) return reason;
        if (missing.Count == 0) return null;
        using var exclusive = AcquireLock(TimeSpan.FromMinutes(10));
        if (exclusive is null) return $"another test process held {LockPath} for 10 minutes while installing Slurm";
        if (MissingPrograms().Count == 0) return null; // installed by the process that held the lock
        var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        var install = CommandLine.Run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", .. Packages], environment, TimeSpan.FromMinutes(8));
        if (!install.Succeeded)
        {
            // A fresh image often has no package lists yet.
            CommandLine.Run("apt-get", ["update", "-qq"], environment, TimeSpan.FromMinutes(5));
            install = CommandLine.Run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", .. Packages], environment, TimeSpan.FromMinutes(8));
        }
        if (!install.Succeeded) return $"installing Slurm failed: `{install.Command}` exited {install.ExitCode}: {Tail(install.StandardError, 5)}";
        var stillMissing = MissingPrograms();
        return stillMissing.Count == 0 ? null : $"after installing {string.Join(' ', Packages)}, {string.Join(", ", stillMissing)} still missing";
    }

    private static FileStream? AcquireLock(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(500);
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    internal static string Tail(string text, int lines) =>
        string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines)).Trim();
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Atlas.Testing;

/// <summary>
/// A real one-node Slurm on loopback for tests: munged, slurmctld and slurmd from Debian's packages, every file under a
/// scratch folder, free ports picked at start (so two clusters coexist), stopped by their PIDs on dispose. Settings
/// from the measurements in shared/reference/slurm.md: <c>batch_sched_delay=0</c> (a job starts ~1 s after
/// submission), <c>MinJobAge</c> long enough that finished jobs stay visible to <c>squeue</c>, no accounting database,
/// <c>CR_Core</c> so jobs share the node by CPUs.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SlurmCluster : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory folder;
    private readonly List<string> pidFiles = [];

    private SlurmCluster(TempDirectory folder, string nodeName, IReadOnlyDictionary<string, string> environment)
    {
        this.folder = folder;
        NodeName = nodeName;
        Environment = environment;
    }

    /// <summary>What Slurm's client commands need to reach this cluster (<c>SLURM_CONF</c>).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>The node (this machine's short host name).</summary>
    public string NodeName { get; }

    /// <summary>Why a cluster cannot start here (Slurm missing and not installable, not Linux), or null when it can.</summary>
    public static string? Unavailable { get; } = Probe();

    /// <summary>Starts the daemons and waits until the node is idle.</summary>
    public static async Task<SlurmCluster> StartAsync()
    {
        if (Unavailable is { } reason) throw new InvalidOperationException(reason);
        var folder = new TempDirectory();
        string root = folder.Path;
        // slurmd runs jobs as the submitting user and reads the scratch folder: keep it traversable.
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        string host = Run("hostname", "-s").Trim();
        string munge = Path.Combine(root, "munge");
        Directory.CreateDirectory(munge);
        File.SetUnixFileMode(munge, (UnixFileMode)0b111_001_001); // the socket's folder: world-executable
        foreach (var sub in new[] { "state", "spool", "log" }) Directory.CreateDirectory(Path.Combine(root, sub));
        string key = Path.Combine(root, "munge.key");
        File.WriteAllBytes(key, System.Security.Cryptography.RandomNumberGenerator.GetBytes(1024));
        File.SetUnixFileMode(key, UnixFileMode.UserRead); // munged refuses a key others can read
        string socket = Path.Combine(munge, "munge.socket");
        var cluster = new SlurmCluster(folder, host, new Dictionary<string, string> { ["SLURM_CONF"] = Path.Combine(root, "slurm.conf") });
        try
        {
            cluster.pidFiles.Add(Path.Combine(root, "munged.pid"));
            Daemon("munged", $"--key-file={key}", $"--socket={socket}", $"--pid-file={Path.Combine(root, "munged.pid")}",
                $"--log-file={Path.Combine(root, "log", "munged.log")}", $"--seed-file={Path.Combine(root, "munge.seed")}", "--force");
            int controllerPort = FreePort(), daemonPort = FreePort();
            long memoryMiB = MemoryMiB() - 1024;
            string user = System.Environment.UserName;
            File.WriteAllText(cluster.Environment["SLURM_CONF"], $"""
                ClusterName=atlastest
                SlurmctldHost={host}(127.0.0.1)
                SlurmctldPort={controllerPort}
                SlurmdPort={daemonPort}
                SlurmUser={user}
                SlurmdUser={user}
                AuthType=auth/munge
                CredType=cred/munge
                AuthInfo=socket={socket}
                StateSaveLocation={Path.Combine(root, "state")}
                SlurmdSpoolDir={Path.Combine(root, "spool")}
                SlurmctldPidFile={Path.Combine(root, "slurmctld.pid")}
                SlurmdPidFile={Path.Combine(root, "slurmd.pid")}
                SlurmctldLogFile={Path.Combine(root, "log", "slurmctld.log")}
                SlurmdLogFile={Path.Combine(root, "log", "slurmd.log")}
                SelectType=select/cons_tres
                SelectTypeParameters=CR_Core
                ProctrackType=proctrack/linuxproc
                TaskPlugin=task/none
                JobAcctGatherType=jobacct_gather/none
                AccountingStorageType=accounting_storage/none
                JobCompType=jobcomp/filetxt
                JobCompLoc={Path.Combine(root, "log", "jobcomp.txt")}
                MpiDefault=none
                ReturnToService=2
                SchedulerParameters=batch_sched_delay=0
                MinJobAge=3600
                KillWait=2
                NodeName={host} CPUs={System.Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)} RealMemory={memoryMiB.ToString(CultureInfo.InvariantCulture)} State=UNKNOWN
                PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP

                """);
            cluster.pidFiles.Add(Path.Combine(root, "slurmctld.pid"));
            cluster.pidFiles.Add(Path.Combine(root, "slurmd.pid"));
            Daemon("slurmctld", "-c", "-f", cluster.Environment["SLURM_CONF"]);
            Daemon("slurmd", "-c", "-f", cluster.Environment["SLURM_CONF"]);
            var clock = Stopwatch.StartNew();
            while (!cluster.Client("sinfo", ["-h", "-o", "%T"], tolerateFailure: true).Contains("idle", StringComparison.Ordinal))
            {
                if (clock.Elapsed > StartTimeout)
                    throw new InvalidOperationException($"the Slurm node did not become idle within {StartTimeout.TotalSeconds:F0} s; slurmctld log:\n{cluster.LogTail("slurmctld.log")}\nslurmd log:\n{cluster.LogTail("slurmd.log")}");
                await Task.Delay(200);
            }
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a Slurm client command against this cluster; returns its standard output.</summary>
    public string Client(string command, params string[] arguments) => Client(command, arguments, tolerateFailure: false);

    private string Client(string command, string[] arguments, bool tolerateFailure) => Run(command, arguments, Environment, tolerateFailure);

    /// <summary>Stops the daemons (<c>scontrol shutdown</c>, then each PID file's process) and removes the folder.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            Client("scontrol", ["shutdown"], tolerateFailure: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // The controller may not have started; the PIDs below are what counts.
        }
        foreach (var pidFile in pidFiles.AsEnumerable().Reverse())
            await Stop(pidFile);
        folder.Dispose();
    }

    private static async Task Stop(string pidFile)
    {
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), out int pid)) return;
        try
        {
            using var process = Process.GetProcessById(pid);
            var clock = Stopwatch.StartNew();
            while (!process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(100);
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(5000);
            }
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
    }

    private string LogTail(string name)
    {
        var path = Path.Combine(folder.Path, "log", name);
        return File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(15)) : "(none)";
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux()) return "a real Slurm needs Linux";
        if (Installed()) return null;
        if (System.Environment.UserName != "root") return "Slurm (munge, slurmctld, slurmd, slurm-client) is not installed, and installing it needs root: run build/install-slurm.sh";
        try
        {
            Run("bash", Path.Combine(RepositoryRoot.Path, "build", "install-slurm.sh"));
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return $"Slurm is not installed and build/install-slurm.sh failed: {e.Message}";
        }
        return Installed() ? null : "build/install-slurm.sh ran but slurmctld is still missing";
    }

    private static bool Installed() =>
        new[] { "munged", "slurmctld", "slurmd", "sbatch" }.All(tool =>
            new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin" }.Concat((System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
                .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, tool))));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static long MemoryMiB()
    {
        var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    /// <summary>Starts a daemon that forks itself into the background: its output is not redirected, since the forked
    /// daemon could keep the pipes open and a reader would wait for ever.</summary>
    private static void Daemon(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["PATH"] = "/usr/sbin:/sbin:" + (System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin");
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {command}");
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} exited {process.ExitCode}");
    }

    private static string Run(string command, params string[] arguments) => Run(command, arguments, null, tolerateFailure: false);

    private static string Run(string command, string[] arguments, IReadOnlyDictionary<string, string>? environment, bool tolerateFailure)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        if (environment is not null)
            foreach (var (name, value) in environment) start.Environment[name] = value;
        // The daemons live in /usr/sbin, which a non-login PATH may lack.
        start.Environment["PATH"] = "/usr/sbin:/sbin:" + (System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin");
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {command}");
        var output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 && !tolerateFailure)
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} exited {process.ExitCode}: {error.Trim()}");
        return output.GetAwaiter().GetResult();
    }
}

/// <summary>A test that needs a real Slurm (<see cref="SlurmCluster"/>): reported as skipped with the reason where
/// Slurm is missing and cannot be installed, never as passed.</summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "a real Slurm needs Linux";
        else if (SlurmCluster.Unavailable is { } reason) Skip = reason;
    }
}

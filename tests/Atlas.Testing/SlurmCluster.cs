using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Atlas.Testing;

/// <summary>
/// A real one-node Slurm for tests: munged, slurmctld and slurmd from Debian's packages, started on loopback with every
/// file under one scratch folder and ports picked free at start (two clusters coexist), and stopped by their PIDs on
/// dispose. Clients find it through <see cref="Environment"/> (<c>SLURM_CONF</c>). The configuration is the one measured
/// in shared/reference/slurm.md: no scheduling delay, finished jobs visible to <c>scontrol show job</c> for an hour, no
/// accounting. Tests normally get one through <see cref="SlurmClusterFixture"/>, which skips them when Slurm is unusable.
/// </summary>
public sealed class SlurmCluster : IDisposable
{
    /// <summary>The one partition; every node is in it and it is the default.</summary>
    public const string PartitionName = "atlas";

    private readonly List<(string Name, int Pid)> daemons = [];
    private bool disposed;

    private SlurmCluster(string root, string hostName)
    {
        Root = root;
        HostName = hostName;
        Environment = new Dictionary<string, string> { ["SLURM_CONF"] = ConfPath };
    }

    /// <summary>The scratch folder that holds the key, configuration, state, spool, PID and log files.</summary>
    public string Root { get; }

    public string ConfPath => Path.Combine(Root, "slurm.conf");

    public string Partition => PartitionName;

    /// <summary>The node's name: the machine's short host name (slurmd refuses any other).</summary>
    public string HostName { get; }

    /// <summary>What Slurm's client commands need in their environment to reach this cluster.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    public string LogFolder => Path.Combine(Root, "log");

    /// <summary>The daemons' names and PIDs, read from their PID files once the node was idle.</summary>
    public IReadOnlyList<(string Name, int Pid)> Daemons => daemons;

    /// <summary>How long <see cref="Start"/> took, from creating the folder to the node showing idle.</summary>
    public TimeSpan StartDuration { get; private set; }

    /// <summary>How long <see cref="Dispose"/> took to stop every daemon (zero until disposed).</summary>
    public TimeSpan StopDuration { get; private set; }

    /// <summary>
    /// Starts a cluster and waits until its node is idle. Throws <see cref="SlurmUnavailableException"/>, saying why, when
    /// Slurm is not installed and cannot be, or a daemon does not come up within <paramref name="timeout"/> (30 s by
    /// default); the message then quotes the daemons' log tails. Nothing is left running when it throws.
    /// </summary>
    /// <param name="cpus">The node's CPU count; by default the machine's (Slurm marks a node that claims more invalid).</param>
    public static SlurmCluster Start(TimeSpan? timeout = null, int? cpus = null)
    {
        if (SlurmInstallation.EnsureInstalled() is { } reason) throw new SlurmUnavailableException(reason);
        var clock = Stopwatch.StartNew();
        string root = Path.Combine(Path.GetTempPath(), $"atlas-slurm-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
        var cluster = new SlurmCluster(root, ShortHostName());
        try
        {
            if (OperatingSystem.IsWindows()) throw new SlurmUnavailableException("needs Linux (Debian's Slurm packages)");
            cluster.Launch(timeout ?? TimeSpan.FromSeconds(30), cpus ?? System.Environment.ProcessorCount);
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
        cluster.StartDuration = clock.Elapsed;
        return cluster;
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private void Launch(TimeSpan timeout, int cpus)
    {
        foreach (string folder in new[] { "munge", "state", "spool", "log" }) Directory.CreateDirectory(Path.Combine(Root, folder));
        // munged refuses a key others can read, and clients must reach its socket.
        File.SetUnixFileMode(Path.Combine(Root, "munge"), (UnixFileMode)Convert.ToInt32("711", 8));
        string key = Path.Combine(Root, "munge.key");
        File.WriteAllBytes(key, RandomNumberGenerator.GetBytes(1024));
        File.SetUnixFileMode(key, UnixFileMode.UserRead);
        Daemonize("munged", "--key-file", key, "--socket", MungeSocket, "--pid-file", PidFile("munged"), "--log-file",
            Path.Combine(LogFolder, "munged.log"), "--seed-file", Path.Combine(Root, "munge.seed"), "--force");
        File.WriteAllText(ConfPath, Configuration(cpus));
        // -c: a clean start, recovering no jobs from an earlier state folder.
        Daemonize("slurmctld", "-c", "-f", ConfPath);
        Daemonize("slurmd", "-c", "-f", ConfPath);
        WaitUntilIdle(timeout);
        foreach (string name in new[] { "slurmd", "slurmctld", "munged" })
        {
            if (ReadPid(name) is { } pid) daemons.Add((name, pid));
        }
    }

    private string MungeSocket => Path.Combine(Root, "munge", "munge.socket");

    private string PidFile(string daemon) => Path.Combine(Root, $"{daemon}.pid");

    private string Configuration(int cpus)
    {
        var (controllerPort, nodePort) = FreePorts();
        // What the machine has, less 1 GiB for the system, in MiB; Slurm marks a node claiming more invalid.
        long memoryMiB = Math.Max(256, MemTotalKiB() / 1024 - 1024);
        string user = System.Environment.UserName;
        string[] lines =
        [
            $"ClusterName=atlas{Path.GetFileName(Root)[^8..]}",
            $"SlurmctldHost={HostName}(127.0.0.1)",
            $"SlurmctldPort={controllerPort}",
            $"SlurmdPort={nodePort}",
            $"SlurmUser={user}",
            $"SlurmdUser={user}",
            "AuthType=auth/munge",
            "CredType=cred/munge",
            $"AuthInfo=socket={MungeSocket}",
            $"StateSaveLocation={Path.Combine(Root, "state")}",
            $"SlurmdSpoolDir={Path.Combine(Root, "spool")}",
            $"SlurmctldPidFile={PidFile("slurmctld")}",
            $"SlurmdPidFile={PidFile("slurmd")}",
            $"SlurmctldLogFile={Path.Combine(LogFolder, "slurmctld.log")}",
            $"SlurmdLogFile={Path.Combine(LogFolder, "slurmd.log")}",
            // CR_Core, not CR_Core_Memory: with memory as a resource and no DefMemPerCPU every job claims the whole node.
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core",
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "JobAcctGatherType=jobacct_gather/none",
            "AccountingStorageType=accounting_storage/none",
            "JobCompType=jobcomp/filetxt",
            $"JobCompLoc={Path.Combine(LogFolder, "jobcomp.txt")}",
            "MpiDefault=none",
            "ReturnToService=2",
            // A job starts about 0.9 s after sbatch instead of 2.6 s.
            "SchedulerParameters=batch_sched_delay=0",
            // Finished jobs stay visible to `scontrol show job` for an hour: there is no accounting database to ask.
            "MinJobAge=3600",
            "KillWait=2",
            $"NodeName={HostName} CPUs={cpus} RealMemory={memoryMiB} State=UNKNOWN",
            $"PartitionName={PartitionName} Nodes={HostName} Default=YES MaxTime=INFINITE State=UP",
        ];
        return string.Join('\n', lines) + "\n";
    }

    private void Daemonize(string program, params string[] arguments)
    {
        var result = CommandLine.Run(SlurmInstallation.Find(program) ?? program, arguments, timeout: TimeSpan.FromSeconds(30));
        if (!result.Succeeded)
            throw new SlurmUnavailableException($"{program} did not start: exited {result.ExitCode}: {result.StandardError.Trim()}\n{LogTails()}");
    }

    private void WaitUntilIdle(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        CommandResult? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = Client("sinfo", "-h", "-p", PartitionName, "-o", "%T");
            if (last.Succeeded && last.StandardOutput.Trim() == "idle") return;
            Thread.Sleep(100);
        }
        string seen = last is null ? "" : $"{last.StandardOutput.Trim()} {last.StandardError.Trim()}".Trim();
        throw new SlurmUnavailableException(
            $"the Slurm node did not become idle within {timeout.TotalSeconds:0} s (last sinfo: '{seen}'; cluster folder {Root})\n{LogTails()}");
    }

    /// <summary>The last lines of each daemon's log, for error messages.</summary>
    public string LogTails(int lines = 8)
    {
        var parts = new List<string>();
        foreach (string name in new[] { "munged", "slurmctld", "slurmd" })
        {
            string path = Path.Combine(LogFolder, $"{name}.log");
            string text = File.Exists(path) ? SlurmInstallation.Tail(File.ReadAllText(path), lines) : "(no log)";
            parts.Add($"--- {path}:\n{text}");
        }
        return string.Join('\n', parts);
    }

    /// <summary>Runs a Slurm client command (sbatch, scontrol, sinfo, squeue, scancel…) against this cluster.</summary>
    public CommandResult Client(string program, params string[] arguments) =>
        CommandLine.Run(SlurmInstallation.Find(program) ?? program, arguments, Environment, TimeSpan.FromSeconds(30));

    /// <summary>
    /// Submits a batch script with <c>sbatch --parsable</c> and returns the job id (for an array, the array's id).
    /// <paramref name="script"/> is the script's text (a <c>#!/bin/sh</c> line is added when it has none); it is written
    /// under the cluster's folder. Output goes to <c>ROOT/jobs/%j.out</c> unless the options say otherwise.
    /// </summary>
    public string Submit(string script, params string[] options)
    {
        string folder = Path.Combine(Root, "jobs");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, $"script-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}.sh");
        File.WriteAllText(path, script.StartsWith("#!", StringComparison.Ordinal) ? script : "#!/bin/sh\n" + script);
        string[] arguments = ["--parsable", "--partition", PartitionName, "--chdir", folder, "--output", Path.Combine(folder, "%j.out"), .. options, path];
        string output = Client("sbatch", arguments).OutputOrThrow().Trim();
        // --parsable prints "id" or "id;cluster".
        return output.Split(';')[0];
    }

    /// <summary>
    /// The records of a job: one, or for a job array one a task (plus, while some tasks have not started, one for the
    /// pending rest). Throws when Slurm does not know the id.
    /// </summary>
    public IReadOnlyList<SlurmJob> ShowJob(string jobId) => SlurmJob.ParseAll(Client("scontrol", "-o", "show", "job", jobId).OutputOrThrow());

    /// <summary>
    /// Waits until every record of every job in <paramref name="jobIds"/> is in a final state (COMPLETED, FAILED,
    /// CANCELLED, TIMEOUT, OUT_OF_MEMORY, NODE_FAIL…) and returns the records by job id. Polls <c>scontrol -o show job</c>
    /// every 100 ms. On timeout it throws, listing each job's state and reason.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<SlurmJob>> WaitForJobs(IEnumerable<string> jobIds, TimeSpan timeout)
    {
        var ids = jobIds.ToList();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var records = ids.ToDictionary(id => id, ShowJob);
            if (records.Values.All(jobs => jobs.Count > 0 && jobs.All(job => job.State.IsFinal()))) return records;
            if (DateTime.UtcNow > deadline)
            {
                string states = string.Join("; ", records.SelectMany(pair => pair.Value).Select(job => $"{job.JobId} {job.StateName} ({job.Reason})"));
                throw new TimeoutException($"Slurm jobs {string.Join(',', ids)} not all finished after {timeout.TotalSeconds:0} s: {states}");
            }
            Thread.Sleep(100);
        }
    }

    /// <summary>
    /// Stops everything: cancels the jobs, asks slurmctld and slurmd to shut down, waits for each daemon's PID (from
    /// its PID file), and kills what is left; then deletes the folder. Only processes whose command line names this
    /// cluster's folder are signalled, so a reused PID or another cluster is never touched.
    /// </summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        var clock = Stopwatch.StartNew();
        // PIDs read now too, for a start that failed before they were recorded.
        var pids = new List<(string Name, int Pid)>(daemons);
        foreach (string name in new[] { "slurmd", "slurmctld", "munged" })
        {
            if (ReadPid(name) is { } pid && !pids.Contains((name, pid))) pids.Add((name, pid));
        }
        if (pids.Any(daemon => daemon.Name == "slurmctld" && IsRunning(daemon.Pid)))
        {
            // Jobs end first: a job step whose controller is gone keeps retrying (its slurmstepd outlives slurmd).
            Client("scancel", "--partition", PartitionName);
            WaitUntilNoJobIsActive(TimeSpan.FromSeconds(10));
            Client("scontrol", "shutdown");
        }
        foreach (var (name, pid) in pids)
        {
            // munged has no shutdown command; the Slurm daemons had theirs.
            if (name == "munged") Signal(pid, SigTerm);
            if (!WaitForExit(pid, TimeSpan.FromSeconds(5)))
            {
                Signal(pid, SigTerm);
                if (!WaitForExit(pid, TimeSpan.FromSeconds(3)))
                {
                    Signal(pid, SigKill);
                    WaitForExit(pid, TimeSpan.FromSeconds(2));
                }
            }
        }
        // What is left of this cluster (a job step that did not end): its folder is its working folder or an open file.
        foreach (int pid in ProcessesOfCluster()) Signal(pid, SigTerm);
        foreach (int pid in ProcessesOfCluster())
        {
            if (!WaitForExit(pid, TimeSpan.FromSeconds(2))) Signal(pid, SigKill);
        }
        StopDuration = clock.Elapsed;
        try
        {
            if (Directory.Exists(Root) && System.Environment.GetEnvironmentVariable("ATLAS_SLURM_KEEP") != "1") Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void WaitUntilNoJobIsActive(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        // squeue lists the jobs not yet ended (pending, running, completing).
        while (DateTime.UtcNow < deadline)
        {
            var queue = Client("squeue", "-h", "-p", PartitionName, "-o", "%i");
            if (!queue.Succeeded || queue.StandardOutput.Trim().Length == 0) return;
            Thread.Sleep(100);
        }
    }

    /// <summary>
    /// Whether <paramref name="pid"/> is a live process of this cluster: its command line names the cluster's folder, or
    /// its working folder or an open file is inside it (a job step: <c>slurmstepd</c> keeps slurmd's log open).
    /// </summary>
    public bool IsRunning(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            // A zombie (state Z after the name's closing parenthesis) has ended.
            if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z')) return false;
            if (File.ReadAllText($"/proc/{pid}/cmdline").Contains(Root, StringComparison.Ordinal)) return true;
            if (IsInRoot(new DirectoryInfo($"/proc/{pid}/cwd").LinkTarget)) return true;
            return Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Any(fd => IsInRoot(new FileInfo(fd).LinkTarget));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Every live process of this cluster (<see cref="IsRunning"/>) other than the test's own.</summary>
    public IReadOnlyList<int> ProcessesOfCluster()
    {
        var found = new List<int>();
        foreach (string folder in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(folder), out int pid) && pid != System.Environment.ProcessId && IsRunning(pid)) found.Add(pid);
        }
        return found;
    }

    private bool IsInRoot(string? path) => path is not null && (path == Root || path.StartsWith(Root + "/", StringComparison.Ordinal));

    private bool WaitForExit(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (IsRunning(pid))
        {
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(50);
        }
        return true;
    }

    private void Signal(int pid, int signal)
    {
        if (IsRunning(pid)) _ = Kill(pid, signal);
    }

    private int? ReadPid(string daemon) =>
        File.Exists(PidFile(daemon)) && int.TryParse(File.ReadAllText(PidFile(daemon)).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
            ? pid
            : null;

    private const int SigKill = 9;
    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>Two distinct ports free on loopback now (both held open while picking, so they differ).</summary>
    private static (int, int) FreePorts()
    {
        using var first = new TcpListener(IPAddress.Loopback, 0);
        using var second = new TcpListener(IPAddress.Loopback, 0);
        first.Start();
        second.Start();
        return (((IPEndPoint)first.LocalEndpoint).Port, ((IPEndPoint)second.LocalEndpoint).Port);
    }

    private static long MemTotalKiB()
    {
        string line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    private static string ShortHostName() => System.Net.Dns.GetHostName().Split('.')[0];
}

using System.Text.Json;
using Atlas.Store;

namespace Atlas.Stages;

/// <summary>
/// One writer per experiment at a time. A command that writes an experiment's artifacts (<c>atlas run</c>,
/// <c>execute</c>, <c>clean</c>, <c>approve</c>) holds an OS advisory lock (flock, through <see cref="FileShare.None"/>)
/// on <c>artifacts/&lt;experiment&gt;/.lock</c> for its whole life; the holder is named in <c>.lock.holder</c> beside
/// it (a separate file, since the locked one cannot be read by others). A second command waits, saying for whom every
/// ten seconds, then goes on, and <c>atlas run</c> then finds a stage the other run finished up to date; with
/// <see cref="WaitVariable"/>=0 it stops at once naming the holder. The OS drops the lock with its process, so a
/// killed holder never blocks. The stage processes of <c>atlas execute</c> work under their parent's lock
/// (<see cref="HolderVariable"/>): they run side by side by design, each writing its own stage folder.
/// </summary>
public sealed class ExperimentLock : IDisposable
{
    /// <summary>The locked file's name in the experiment folder.</summary>
    public const string FileName = ".lock";

    /// <summary>Names the lock's holder (pid, host, user, command, since), beside the lock.</summary>
    public const string HolderFileName = ".lock.holder";

    /// <summary>Set by a holder for its child processes: the holder's pid. A process whose ancestor it names takes no lock.</summary>
    public const string HolderVariable = "ATLAS_EXPERIMENT_LOCK_HOLDER";

    /// <summary>The <see cref="HolderVariable"/> value of a stage job submitted by the Slurm executor: a job runs on some
    /// node of the cluster, under no process of the submitting one, and takes no lock when it is a Slurm job
    /// (<c>SLURM_JOB_ID</c> set). The submitting <c>atlas execute</c> holds the experiment while it submits and waits,
    /// and each job writes only its own stage folder, as the local executor's processes do.</summary>
    public const string SlurmJobHolder = "slurm";

    /// <summary><c>0</c>: stop at once when another process holds the experiment, instead of waiting.</summary>
    public const string WaitVariable = "ATLAS_LOCK_WAIT";

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Remind = TimeSpan.FromSeconds(10);

    private readonly FileStream? stream;

    private ExperimentLock(FileStream? stream) => this.stream = stream;

    /// <summary>What a holder writes about itself.</summary>
    public sealed record Holder(int Pid, string Host, string User, string Command, DateTimeOffset SinceUtc)
    {
        public override string ToString() => $"pid {Pid} on {Host} ({User}: {Command}, since {SinceUtc:yyyy-MM-dd HH:mm:ss} UTC)";
    }

    /// <summary>Takes the lock of <paramref name="context"/>'s experiment for <paramref name="command"/>, waiting while
    /// another process holds it (or refusing, with <see cref="WaitVariable"/>=0).</summary>
    /// <exception cref="InvalidOperationException">Held by another process and waiting is off.</exception>
    public static ExperimentLock Acquire(ExperimentContext context, string command, TextWriter log)
    {
        if (Environment.GetEnvironmentVariable(HolderVariable) is { } value
            && ((int.TryParse(value, out int parent) && IsAncestor(parent))
                || (value == SlurmJobHolder && Environment.GetEnvironmentVariable("SLURM_JOB_ID") is { Length: > 0 })))
            return new ExperimentLock(null);
        var folder = context.Absolute(context.Layout.ExperimentDir);
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, FileName), holderPath = Path.Combine(folder, HolderFileName);
        bool wait = Environment.GetEnvironmentVariable(WaitVariable) != "0";
        var reminded = DateTime.MinValue;
        while (true)
        {
            FileStream? stream = null;
            try
            {
                stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Held: flock refused the exclusive lock.
            }
            if (stream is not null)
            {
                var me = new Holder(Environment.ProcessId, Environment.MachineName, Environment.UserName, command, DateTimeOffset.UtcNow);
                AtomicFile.WriteJson(holderPath, me);
                return new ExperimentLock(stream);
            }
            string holder = ReadHolder(holderPath);
            if (!wait)
                throw new InvalidOperationException(
                    $"experiment {context.Layout.ExperimentDir} is in use by {holder}; wait for it, or unset {WaitVariable} to wait automatically");
            if (DateTime.UtcNow - reminded > Remind)
            {
                log.WriteLine($"waiting for {holder} to finish with {context.Layout.ExperimentDir} …");
                reminded = DateTime.UtcNow;
            }
            Thread.Sleep(Poll);
        }
    }

    /// <summary>The holder as its file names it, or a placeholder while it is being written.</summary>
    public static string ReadHolder(string holderPath)
    {
        try
        {
            return JsonSerializer.Deserialize<Holder>(File.ReadAllText(holderPath))?.ToString() ?? "another process";
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return "another process";
        }
    }

    /// <summary>Whether <paramref name="pid"/> is this process's parent, grandparent… (Linux: /proc; elsewhere only the pid itself).</summary>
    private static bool IsAncestor(int pid)
    {
        int current = Environment.ProcessId;
        for (int depth = 0; depth < 64 && current > 1; depth++)
        {
            if (current == pid) return true;
            try
            {
                // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after the last ')'.
                var stat = File.ReadAllText($"/proc/{current}/stat");
                current = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException or ArgumentOutOfRangeException)
            {
                return false;
            }
        }
        return false;
    }

    /// <summary>Releases the lock (the holder file is left: it names the last holder, and the lock file is what counts).</summary>
    public void Dispose() => stream?.Dispose();
}

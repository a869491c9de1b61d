using System.Diagnostics;
using Xunit.Abstractions;

namespace Atlas.Testing.Tests;

/// <summary>Starting and stopping whole clusters: two side by side, nothing left behind, a failed start explained.</summary>
[Trait(TestCategory.Name, TestCategory.Slow)]
public sealed class SlurmClusterLifetimeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(60);

    [SlurmFact]
    public void Two_clusters_run_side_by_side_and_dispose_stops_every_daemon_by_pid()
    {
        using var first = StartOrSkip();
        using var second = StartOrSkip();
        Assert.NotEqual(first.Root, second.Root);
        foreach (var cluster in new[] { first, second })
        {
            Assert.Equal(["munged", "slurmctld", "slurmd"], cluster.Daemons.Select(daemon => daemon.Name).Order());
            Assert.All(cluster.Daemons, daemon => Assert.True(cluster.IsRunning(daemon.Pid), $"{daemon.Name} {daemon.Pid} not running"));
            string id = cluster.Submit("echo up\n");
            Assert.Equal(SlurmJobState.Completed, Assert.Single(cluster.WaitForJobs([id], JobTimeout)[id]).State);
            output.WriteLine($"{cluster.Root}: started in {cluster.StartDuration.TotalSeconds:0.00} s");
        }
        var firstDaemons = first.Daemons.ToList();
        first.Dispose();
        output.WriteLine($"{first.Root}: stopped in {first.StopDuration.TotalSeconds:0.00} s");
        // Checked in /proc directly: no process of that PID is alive any more (whatever its command line).
        Assert.All(firstDaemons, daemon => Assert.False(IsAlive(daemon.Pid), $"{daemon.Name} {daemon.Pid} still alive"));
        Assert.False(Directory.Exists(first.Root));
        Assert.Empty(ProcessesNaming(first.Root));
        // The other cluster is untouched and still runs jobs.
        Assert.All(second.Daemons, daemon => Assert.True(second.IsRunning(daemon.Pid)));
        string after = second.Submit("echo still up\n");
        Assert.Equal(SlurmJobState.Completed, Assert.Single(second.WaitForJobs([after], JobTimeout)[after]).State);
        var secondDaemons = second.Daemons.ToList();
        second.Dispose();
        Assert.All(secondDaemons, daemon => Assert.False(IsAlive(daemon.Pid), $"{daemon.Name} {daemon.Pid} still alive"));
        Assert.Empty(ProcessesNaming(second.Root));
    }

    [SlurmFact]
    public void Dispose_with_a_job_still_running_leaves_no_process_behind()
    {
        var cluster = StartOrSkip();
        int jobPid;
        try
        {
            // The batch script writes its own PID, then becomes the sleep (exec keeps the PID).
            string pidFile = Path.Combine(cluster.Root, "job.pid");
            string id = cluster.Submit($"echo $$ > {pidFile}.tmp && mv {pidFile}.tmp {pidFile}\nexec sleep 300\n");
            var clock = Stopwatch.StartNew();
            while (!File.Exists(pidFile) && clock.Elapsed < TimeSpan.FromSeconds(30)) Thread.Sleep(50);
            jobPid = int.Parse(File.ReadAllText(pidFile).Trim());
            Assert.Equal(SlurmJobState.Running, Assert.Single(cluster.ShowJob(id)).State);
            Assert.True(IsAlive(jobPid));
        }
        finally
        {
            cluster.Dispose();
        }
        output.WriteLine($"stopped with a running job in {cluster.StopDuration.TotalSeconds:0.00} s");
        Assert.All(cluster.Daemons, daemon => Assert.False(IsAlive(daemon.Pid), $"{daemon.Name} {daemon.Pid} still alive"));
        Assert.Empty(ProcessesNaming(cluster.Root));
        Assert.False(IsAlive(jobPid), $"the job's process {jobPid} is still alive");
    }

    [SlurmFact]
    public void A_node_that_never_becomes_idle_fails_the_start_quoting_the_logs_and_leaves_nothing_running()
    {
        string? unusable = SlurmInstallation.EnsureInstalled();
        Skip.If(unusable is not null && !SlurmFactAttribute.Required, unusable);
        // A node claiming far more CPUs than the machine has is marked invalid by slurmctld and never becomes idle.
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<SlurmUnavailableException>(() => SlurmCluster.Start(TimeSpan.FromSeconds(5), cpus: 4096));
        // A Slurm that cannot start at all (a daemon exits at once) cannot show this failure: skipped with that reason.
        Skip.If(error.Message.Contains("did not start") && !SlurmFactAttribute.Required, error.Message);
        output.WriteLine($"failed after {clock.Elapsed.TotalSeconds:0.0} s:\n{error.Message}");
        Assert.Contains("did not become idle within 5 s", error.Message);
        Assert.Contains("slurmctld.log:", error.Message);
        Assert.Contains("slurmd.log:", error.Message);
        string root = error.Message.Split("cluster folder ")[1].Split(')')[0];
        Assert.Empty(ProcessesNaming(root));
        Assert.False(Directory.Exists(root));
    }

    private static SlurmCluster StartOrSkip()
    {
        try
        {
            return SlurmCluster.Start();
        }
        catch (SlurmUnavailableException e) when (!SlurmFactAttribute.Required)
        {
            throw new SkipException(e.Message);
        }
    }

    /// <summary>Whether a process of that PID exists and has not ended (a zombie has).</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return !stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// The live processes that name <paramref name="root"/> in their command line, or have their working folder or an
    /// open file inside it (a job step's slurmstepd names nothing but keeps slurmd's log open).
    /// </summary>
    private static List<string> ProcessesNaming(string root)
    {
        var found = new List<string>();
        foreach (string folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out int pid) || pid == Environment.ProcessId || !IsAlive(pid)) continue;
            try
            {
                string command = File.ReadAllText(Path.Combine(folder, "cmdline")).Replace('\0', ' ');
                var links = Directory.EnumerateFileSystemEntries(Path.Combine(folder, "fd")).Select(fd => new FileInfo(fd).LinkTarget)
                    .Append(new DirectoryInfo(Path.Combine(folder, "cwd")).LinkTarget);
                if (command.Contains(root, StringComparison.Ordinal) || links.Any(link => link?.StartsWith(root, StringComparison.Ordinal) == true))
                    found.Add($"{pid}: {command}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return found;
    }
}

using System.Diagnostics;
using Xunit.Abstractions;

namespace Atlas.Testing.Tests;

/// <summary>
/// The real-Slurm fixture against Slurm 22.05's daemons: jobs, dependency chains, a failed parent's dependents and job
/// arrays run and are read back through <c>scontrol -o show job</c>. All share one cluster (the class fixture).
/// </summary>
[Trait(TestCategory.Name, TestCategory.Slow)]
public sealed class SlurmClusterTests(SlurmClusterFixture fixture, ITestOutputHelper output) : IClassFixture<SlurmClusterFixture>
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(60);

    [SlurmFact]
    public void One_job_runs_and_completes_with_its_output()
    {
        var cluster = fixture.Cluster;
        string id = cluster.Submit("echo hello from slurm\n", "--job-name", "one");
        var job = Assert.Single(cluster.WaitForJobs([id], JobTimeout)[id]);
        Assert.Equal(SlurmJobState.Completed, job.State);
        Assert.Equal(0, job.ExitStatus);
        Assert.Equal("one", job.Name);
        Assert.Equal("hello from slurm\n", File.ReadAllText(job.StandardOutputPath!));
    }

    [SlurmFact]
    public void An_afterok_chain_of_three_jobs_completes_in_order()
    {
        var cluster = fixture.Cluster;
        string order = Path.Combine(cluster.Root, $"order-{Guid.NewGuid():N}.txt");
        // Each job appends its name, then lingers, so a job started too early would write before its parent's line.
        string Step(string name) => $"sleep 0.3\necho {name} >> {order}\nsleep 0.3\n";
        string a = cluster.Submit(Step("a"));
        string b = cluster.Submit(Step("b"), $"--dependency=afterok:{a}");
        string c = cluster.Submit(Step("c"), $"--dependency=afterok:{b}");
        var jobs = cluster.WaitForJobs([a, b, c], JobTimeout);
        var (first, second, third) = (Assert.Single(jobs[a]), Assert.Single(jobs[b]), Assert.Single(jobs[c]));
        Assert.All(new[] { first, second, third }, job => Assert.Equal(SlurmJobState.Completed, job.State));
        Assert.Equal(["a", "b", "c"], File.ReadAllLines(order));
        Assert.True(second.StartTime >= first.EndTime, $"b started {second.StartTime}, a ended {first.EndTime}");
        Assert.True(third.StartTime >= second.EndTime, $"c started {third.StartTime}, b ended {second.EndTime}");
    }

    [SlurmFact]
    public void A_failed_parent_cancels_its_kill_on_invalid_dep_dependents_and_theirs()
    {
        var cluster = fixture.Cluster;
        string parent = cluster.Submit("exit 3\n");
        string child = cluster.Submit("echo never\n", $"--dependency=afterok:{parent}", "--kill-on-invalid-dep=yes");
        string grandchild = cluster.Submit("echo never\n", $"--dependency=afterok:{child}", "--kill-on-invalid-dep=yes");
        var jobs = cluster.WaitForJobs([parent, child, grandchild], JobTimeout);
        var failed = Assert.Single(jobs[parent]);
        Assert.Equal(SlurmJobState.Failed, failed.State);
        Assert.Equal(3, failed.ExitStatus);
        foreach (string id in new[] { child, grandchild })
        {
            var cancelled = Assert.Single(jobs[id]);
            output.WriteLine($"{id}: {cancelled.StateName} reason {cancelled.Reason} start {cancelled.StartTime} end {cancelled.EndTime}");
            Assert.Equal(SlurmJobState.Cancelled, cancelled.State);
            Assert.Equal("DependencyNeverSatisfied", cancelled.Reason);
            Assert.False(File.Exists(Path.Combine(cluster.Root, "jobs", $"{id}.out")), $"job {id} ran");
        }
    }

    [SlurmFact]
    public void A_job_array_of_three_tasks_runs_each_task_with_its_index()
    {
        var cluster = fixture.Cluster;
        string id = cluster.Submit("echo task $SLURM_ARRAY_TASK_ID\n", "--array=0-2", "--output", Path.Combine(cluster.Root, "jobs", "array-%A-%a.out"));
        var tasks = cluster.WaitForJobs([id], JobTimeout)[id];
        Assert.Equal(["0", "1", "2"], tasks.Select(task => task.ArrayTaskId).Order());
        Assert.All(tasks, task => Assert.Equal(SlurmJobState.Completed, task.State));
        Assert.All(tasks, task => Assert.Equal(id, task.ArrayJobId));
        foreach (string index in new[] { "0", "1", "2" })
            Assert.Equal($"task {index}\n", File.ReadAllText(Path.Combine(cluster.Root, "jobs", $"array-{id}-{index}.out")));
    }

    [SlurmFact]
    public void Submit_to_start_latency_is_under_five_seconds()
    {
        var cluster = fixture.Cluster;
        var latencies = new List<double>();
        for (int i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            string id = cluster.Submit("sleep 1\n");
            double submitted = clock.Elapsed.TotalSeconds;
            while (Assert.Single(cluster.ShowJob(id)).State == SlurmJobState.Pending)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"job {id} still pending after 30 s");
                Thread.Sleep(20);
            }
            latencies.Add(clock.Elapsed.TotalSeconds);
            output.WriteLine($"sbatch returned after {submitted:0.000} s; job {id} left PENDING after {clock.Elapsed.TotalSeconds:0.000} s");
            cluster.WaitForJobs([id], JobTimeout);
        }
        Assert.All(latencies, latency => Assert.True(latency < 5, $"{latency:0.0} s from sbatch to start"));
    }
}

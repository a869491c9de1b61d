namespace Atlas.Testing.Tests;

/// <summary>The real-Slurm fixture: daemons up, jobs run and are read back, everything stopped by PID.</summary>
[Trait(TestCategory.Name, TestCategory.Slow)]
public sealed class SlurmClusterTests(SlurmClusterFixture fixture) : IClassFixture<SlurmClusterFixture>
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
}

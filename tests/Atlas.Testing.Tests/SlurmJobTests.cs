namespace Atlas.Testing.Tests;

/// <summary>Reading <c>scontrol -o show job</c> records (captured from Slurm 22.05.8: Fixtures/slurm/README.md).</summary>
public sealed class SlurmJobTests
{
    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "slurm", name));

    [Fact]
    public void A_finished_array_has_one_record_a_task_with_the_arrays_id()
    {
        var tasks = SlurmJob.ParseAll(Fixture("array.txt"));
        Assert.Equal([("1", "2"), ("4", "1"), ("3", "0")], tasks.Select(task => (task.JobId, task.ArrayTaskId!)));
        Assert.All(tasks, task => Assert.Equal("1", task.ArrayJobId));
        Assert.All(tasks, task => Assert.Equal(SlurmJobState.Completed, task.State));
        Assert.All(tasks, task => Assert.Equal("wrap", task.Name));
    }

    [Fact]
    public void A_pending_array_is_one_record_with_the_task_range()
    {
        var job = Assert.Single(SlurmJob.ParseAll(Fixture("pending-array.txt")));
        Assert.Equal(("1", "1", "0-2"), (job.JobId, job.ArrayJobId, job.ArrayTaskId));
        Assert.Equal(SlurmJobState.Pending, job.State);
        Assert.False(job.State.IsFinal());
        Assert.Null(job.StartTime); // StartTime=Unknown
        Assert.Equal(new DateTime(2026, 11, 29, 1, 35, 58), job.SubmitTime);
    }

    [Fact]
    public void A_failed_job_gives_its_exit_status_state_and_times()
    {
        var job = Assert.Single(SlurmJob.ParseAll(Fixture("failed.txt")));
        Assert.Equal(SlurmJobState.Failed, job.State);
        Assert.Equal("FAILED", job.StateName);
        Assert.Equal((3, 0), (job.ExitStatus, job.ExitSignal));
        Assert.True(job.State.IsFinal());
        Assert.Null(job.ArrayJobId);
        Assert.NotNull(job.EndTime);
        Assert.True(job.EndTime >= job.StartTime);
    }

    [Fact]
    public void A_value_with_spaces_continues_until_the_next_key()
    {
        var job = Assert.Single(SlurmJob.ParseAll("JobId=7 JobName=x Reason=None Comment=two words here JobState=TIMEOUT\n"));
        Assert.Equal("two words here", job.Fields["Comment"]);
        Assert.Equal(SlurmJobState.Timeout, job.State);
    }

    [Theory]
    [InlineData("PENDING", SlurmJobState.Pending, false)]
    [InlineData("RUNNING", SlurmJobState.Running, false)]
    [InlineData("COMPLETING", SlurmJobState.Completing, false)]
    [InlineData("COMPLETED", SlurmJobState.Completed, true)]
    [InlineData("FAILED", SlurmJobState.Failed, true)]
    [InlineData("CANCELLED", SlurmJobState.Cancelled, true)]
    [InlineData("TIMEOUT", SlurmJobState.Timeout, true)]
    [InlineData("OUT_OF_MEMORY", SlurmJobState.OutOfMemory, true)]
    [InlineData("NODE_FAIL", SlurmJobState.NodeFail, true)]
    [InlineData("SOMETHING_NEW", SlurmJobState.Other, false)]
    public void State_names_parse_and_classify(string name, SlurmJobState state, bool final)
    {
        Assert.Equal(state, SlurmJobStates.Parse(name));
        Assert.Equal(final, state.IsFinal());
    }
}

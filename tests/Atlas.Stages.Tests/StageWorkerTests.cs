using Atlas.Stages.Execution;
using Atlas.Testing;

namespace Atlas.Stages.Tests;

/// <summary>
/// The worker protocol of the local executor: the worker's loop (<see cref="StageWorker.Serve"/>) on hand-written input,
/// and the executor's side (<see cref="StageWorkerProcess"/>) against a shell script that speaks the protocol, so that a
/// worker dying mid-stage and a cancelled stage can be staged exactly. ExecuteVerbTests runs the real worker.
/// </summary>
public sealed class StageWorkerTests
{
    [Fact]
    public void The_loop_runs_each_id_in_order_and_ends_each_stage_with_its_exit_code()
    {
        var ran = new List<string>();
        var output = new StringWriter();
        int exit = StageWorker.Serve(new StringReader("heads/mnist\n\n  finetune/mnist  \n"), output, id =>
        {
            ran.Add(id);
            output.WriteLine($"[{id}] running");
            return 0;
        });

        Assert.Equal(0, exit);
        Assert.Equal(["heads/mnist", "finetune/mnist"], ran); // the blank line is skipped, the id trimmed
        Assert.Equal(
            ["[heads/mnist] running", "[atlas worker] stage finished, exit code 0", "[finetune/mnist] running", "[atlas worker] stage finished, exit code 0"],
            output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')));
    }

    [Fact]
    public void The_loop_stops_after_a_failed_stage_and_reports_an_unhandled_exception_as_an_abort()
    {
        var output = new StringWriter();
        int exit = StageWorker.Serve(new StringReader("a\nb\nc\n"), output, id => id == "b" ? 2 : 0);
        Assert.Equal(2, exit);
        Assert.EndsWith(StageWorker.DoneLine(2), output.ToString().TrimEnd());
        Assert.Equal(2, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // c never ran

        output = new StringWriter();
        exit = StageWorker.Serve(new StringReader("a\nb\n"), output, _ => throw new NullReferenceException("boom"));
        Assert.Equal(134, exit);
        Assert.Contains("Unhandled exception. System.NullReferenceException: boom", output.ToString());
        Assert.EndsWith("exit code 134", output.ToString().TrimEnd());
    }

    [Theory]
    [InlineData("[atlas worker] stage finished, exit code 0", true, 0)]
    [InlineData("[atlas worker] stage finished, exit code 3", true, 3)]
    [InlineData("[atlas worker] stage finished, exit code x", false, 0)]
    [InlineData("[finetune/mnist] [atlas worker] stage finished, exit code 0", false, 0)]
    public void Only_a_whole_done_line_ends_a_stage(string line, bool isDone, int exitCode)
    {
        Assert.Equal(isDone, StageWorker.TryParseDone(line, out int parsed));
        Assert.Equal(exitCode, parsed);
    }

    // A worker in bash: "ok" prints a line and succeeds, "fail" exits 3 after its done line, "die" ends the worker
    // mid-stage (exit 9 without a done line), "quit" succeeds and then exits (a worker gone while idle), "hang" prints
    // on standard error (as libtorch's native warnings reach the executor) and sleeps.
    private const string FakeWorker = """
        while read -r id; do
          case "$id" in
            ok)   echo "[$id] out $WORKER_MARK"; echo "[atlas worker] stage finished, exit code 0" ;;
            fail) echo "[$id] failing"; echo "[atlas worker] stage finished, exit code 3"; exit 3 ;;
            die)  echo "[$id] dying"; exit 9 ;;
            quit) echo "[atlas worker] stage finished, exit code 0"; exit 0 ;;
            hang) echo "[$id] hanging" >&2; sleep 300 ;;
          esac
        done
        """;

    private static StageWorkerProcess StartFake() =>
        StageWorkerProcess.Start(["bash", "-c", FakeWorker, "fake-worker"], [], new Dictionary<string, string> { ["WORKER_MARK"] = "marked" });

    [LinuxFact]
    public async Task The_executor_side_relays_each_stage_s_lines_and_reuses_the_worker_until_a_stage_fails()
    {
        using var worker = StartFake();
        var lines = new List<string>();
        Assert.Equal(0, await worker.RunAsync("ok", lines.Add, CancellationToken.None));
        Assert.Equal(0, await worker.RunAsync("ok", lines.Add, CancellationToken.None));
        Assert.Equal(["[ok] out marked", "[ok] out marked"], lines); // the environment reached the worker
        Assert.True(worker.IsAlive);

        lines.Clear();
        Assert.Equal(3, await worker.RunAsync("fail", lines.Add, CancellationToken.None));
        Assert.Equal(["[fail] failing"], lines);
        worker.Stop(TimeSpan.FromSeconds(10));
        Assert.False(worker.IsAlive);
    }

    [LinuxFact]
    public async Task A_worker_that_dies_mid_stage_reports_its_exit_code()
    {
        using var worker = StartFake();
        var lines = new List<string>();
        Assert.Equal(9, await worker.RunAsync("die", lines.Add, CancellationToken.None));
        Assert.Equal(["[die] dying"], lines);
        Assert.False(worker.IsAlive);
    }

    [LinuxFact]
    public async Task A_stage_sent_to_a_worker_that_exited_while_idle_fails_instead_of_hanging()
    {
        using var worker = StartFake();
        Assert.Equal(0, await worker.RunAsync("quit", _ => { }, CancellationToken.None));
        var lines = new List<string>();
        Assert.Equal(StageWorker.UnhandledExitCode, await worker.RunAsync("ok", lines.Add, CancellationToken.None)); // exit 0, but no done line
        Assert.Empty(lines);
        Assert.False(worker.IsAlive);
    }

    [LinuxFact]
    public async Task Cancelling_a_stage_kills_the_worker_and_what_it_started()
    {
        using var worker = StartFake();
        using var cancel = new CancellationTokenSource();
        var lines = new List<string>();
        var running = worker.RunAsync("hang", line =>
        {
            lines.Add(line);
            cancel.Cancel(); // the stage has started: stop it
        }, cancel.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.False(worker.IsAlive);
        Assert.Equal(["[hang] hanging"], lines); // relayed from standard error
    }
}

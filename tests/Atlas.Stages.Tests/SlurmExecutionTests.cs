using System.Text.Json.Nodes;
using Atlas.Pipeline.Execution;
using Atlas.Stages.Execution.Slurm;
// The product's types, not Atlas.Testing's records of the same names (what the fixture reads from scontrol).
using SlurmJob = Atlas.Stages.Execution.Slurm.SlurmJob;
using SlurmJobState = Atlas.Stages.Execution.Slurm.SlurmJobState;
using Atlas.Stages.Tests.Support;

namespace Atlas.Stages.Tests;

/// <summary>
/// The Slurm executor against a real Slurm (munged, slurmctld and slurmd on loopback, <see cref="SlurmCluster"/>, a
/// fresh one per test: the tests drain its node), on
/// the micro experiment's foundation, addition and negation stages: a stage whose process fails makes Slurm cancel
/// exactly what depends on it while the rest completes; the rerun submits only that branch; every output then equals
/// the one-process micro run's byte for byte. A second submission while the jobs are queued submits nothing again.
/// Where Slurm cannot be installed or started, the tests are reported as skipped with the reason.
/// </summary>
[Collection(MicroPipelineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Slow)] // about 20 micro stages as Slurm jobs, twice
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SlurmExecutionTests(MicroPipeline micro) : IDisposable
{
    /// <summary>The stage whose process the failure test makes fail: a mid-graph stage with independent siblings.</summary>
    private const string Doomed = "finetune/mnist_parity";

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    private readonly TempRepository repository = new(MicroSpec.Text[..MicroSpec.Text.IndexOf("\nfew_shot:", StringComparison.Ordinal)]);

    public void Dispose() => repository.Dispose();

    [SlurmFact]
    public async Task A_failed_stage_cancels_its_dependents_the_rerun_resumes_and_the_outputs_match_the_local_run()
    {
        using var slurm = new SlurmClusterFixture(); // skips (or, required, fails) the test when Slurm cannot start
        var cluster = slurm.Cluster;
        var client = new SlurmClient(cluster.Environment);

        // 1. Every stage as a job, the doomed one's process failing as a crashed stage would.
        var failing = new StringWriter();
        var first = await Execute(client, failing, FailingCommand());
        var outcome = first.ToDictionary(r => r.Id, r => r);
        Assert.Equal(StageOutcome.Failed, outcome[Doomed].Outcome);
        using (var session = repository.Open())
        {
            var dependents = session.Graph.Downstream(Doomed).Select(n => n.Id).ToHashSet();
            Assert.NotEmpty(dependents);
            foreach (var r in first.Where(r => r.Id != Doomed))
            {
                if (dependents.Contains(r.Id))
                    Assert.True(r.Outcome == StageOutcome.NotStarted && r.BlockedBy == Doomed, $"{r.Id}: {r.Outcome}, blocked by {r.BlockedBy}\n{failing}");
                else
                    Assert.True(r.Outcome == StageOutcome.Succeeded, $"{r.Id}: {r.Outcome}\n{failing}");
            }
        }
        string log = failing.ToString();
        Assert.Contains($"✗ {Doomed} FAILED", log);
        Assert.Contains("FAILED, exit code 3:0, NonZeroExitCode)", log); // the wrapper's exit status, read back with scontrol
        Assert.Contains("injected failure", log); // the failed stage's log tail
        Assert.Contains($"{Doomed} failed (job ", log);
        Assert.Matches(@"■ taskvector/mnist_parity cancelled \(job \d+: ", log); // Slurm cancelled it, not us

        // 2. The rerun submits only the failed branch.
        using (var session = repository.Open())
        {
            var stale = session.Plan().Where(p => !p.Value.IsUpToDate).Select(p => $"{p.Key}: {p.Value}").ToList();
            Assert.True(stale.Count == first.Count(r => r.Outcome != StageOutcome.Succeeded), string.Join("\n", stale));
        }
        var rerunLog = new StringWriter();
        var rerun = await Execute(client, rerunLog, AtlasCommand);
        Assert.Equal(first.Count(r => r.Outcome != StageOutcome.Succeeded), rerun.Count);
        Assert.All(rerun, r => Assert.True(r.Outcome == StageOutcome.Succeeded, $"{r.Id}: {r.Outcome}\n{rerunLog}"));
        using (var session = repository.Open())
            Assert.All(session.Plan().Values, f => Assert.True(f.IsUpToDate, f.ToString()));

        // 3. Byte for byte what the one-process micro run computed. The report's outputs are left out (it quotes times, and
        // its resolved spec is this shorter spec); its tables are compared below.
        var mine = Outputs(repository.Root);
        var theirs = Outputs(micro.Repository.Root);
        Assert.NotEmpty(mine);
        foreach (var (path, hash) in mine)
            Assert.True(theirs.TryGetValue(path, out var expected) && expected == hash, $"{path} differs from the local run's");
        foreach (var table in new[] { "finetune_accuracy", "task_addition", "task_negation" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(micro.Repository.ArtifactsDir, "micro", "tables", table + ".csv")),
                File.ReadAllBytes(Path.Combine(repository.ArtifactsDir, "micro", "tables", table + ".csv")));
        Assert.True(File.Exists(Path.Combine(repository.ArtifactsDir, "micro", "logs", "addition", "ties.log")));
        Console.WriteLine(rerunLog); // the summary with each stage's queue and run seconds, for the resolution note
    }

    [SlurmFact]
    public async Task A_second_submission_while_the_jobs_are_queued_submits_nothing_twice()
    {
        using var slurm = new SlurmClusterFixture(); // skips (or, required, fails) the test when Slurm cannot start
        var cluster = slurm.Cluster;
        var client = new SlurmClient(cluster.Environment);
        Drain(cluster);

        var targets = new[] { "taskvector/mnist" };
        var submitted = new StringWriter();
        Assert.Empty(await Execute(client, submitted, AtlasCommand, targets, wait: false));
        Assert.Matches(@"^5 of 5 stages to run: 5 submitted as \d+ Slurm job\(s\)", submitted.ToString());

        var again = new StringWriter();
        Assert.Empty(await Execute(client, again, AtlasCommand, targets, wait: false));
        Assert.StartsWith("5 of 5 stages to run: 0 submitted as 0 Slurm job(s) (0 array(s)), 5 already queued or running", again.ToString());

        cluster.Client("scontrol", "update", $"NodeName={cluster.HostName}", "State=RESUME").OutputOrThrow();
        var waited = new StringWriter();
        var results = await Execute(client, waited, AtlasCommand, targets);
        Assert.StartsWith("5 of 5 stages to run: 0 submitted", waited.ToString());
        Assert.Equal(5, results.Count);
        Assert.All(results, r => Assert.True(r.Outcome == StageOutcome.Succeeded, $"{r.Id}: {r.Outcome}\n{waited}"));
    }

    [SlurmFact]
    public async Task Interrupting_the_wait_cancels_every_queued_job()
    {
        using var slurm = new SlurmClusterFixture(); // skips (or, required, fails) the test when Slurm cannot start
        var cluster = slurm.Cluster;
        var client = new SlurmClient(cluster.Environment);
        Drain(cluster);

        using var session = repository.Open();
        var console = new StringWriter();
        using var interrupt = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var results = await new SlurmExecution(session, new SlurmExecutionOptions(AtlasCommand, ["taskvector/mnist"], Force: false, Wait: true, Poll), client, console)
            .RunAsync(interrupt.Token);

        Assert.Contains("interrupted: cancelling 5 job(s) still queued or running", console.ToString());
        Assert.All(results, r => Assert.Equal(StageOutcome.NotStarted, r.Outcome));
        var jobs = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, SubmittedStage>>(
            File.ReadAllText(Path.Combine(repository.ArtifactsDir, "micro", "slurm", "jobs.json")))!;
        var states = client.Query(jobs.Values.Select(j => j.Ref.Split('_')[0]));
        Assert.Equal(5, jobs.Count);
        Assert.All(jobs.Values, j => Assert.Equal(SlurmJobState.Cancelled, states[j.Ref].State));
    }

    private async Task<IReadOnlyList<StageExecution>> Execute(SlurmClient client, TextWriter console, IReadOnlyList<string> command,
        IReadOnlyList<string>? targets = null, bool wait = true)
    {
        using var session = repository.Open();
        var options = new SlurmExecutionOptions(command, targets ?? [], Force: false, Wait: wait, Poll);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        return await new SlurmExecution(session, options, client, console).RunAsync(timeout.Token);
    }

    /// <summary>A wrapper around the real CLI whose run of <see cref="Doomed"/> fails before doing anything.</summary>
    private string[] FailingCommand()
    {
        var wrapper = Path.Combine(repository.Root, "failing-atlas.sh");
        File.WriteAllText(wrapper, $$"""
            #!/bin/bash
            for argument in "$@"; do
              if [ "$argument" = "{{Doomed}}" ]; then echo "injected failure of {{Doomed}}" >&2; exit 3; fi
            done
            exec {{string.Join(' ', AtlasCommand.Select(SlurmJobPlan.Quote))}} "$@"
            """.Replace("\r\n", "\n"));
        File.SetUnixFileMode(wrapper, File.GetUnixFileMode(wrapper) | UnixFileMode.UserExecute);
        return [wrapper];
    }

    /// <summary>The CLI the jobs run: the built atlas.dll beside these tests' build.</summary>
    private static IReadOnlyList<string> AtlasCommand { get; } =
    [
        Path.Combine(Path.GetDirectoryName(Environment.ProcessPath!) is { } dir && File.Exists(Path.Combine(dir, "dotnet")) ? dir : "/usr/bin", "dotnet"),
        "exec",
        Path.Combine(RepositoryRoot.Path, "src", "Atlas.Cli",
            Path.GetRelativePath(Path.Combine(RepositoryRoot.Path, "tests", "Atlas.Stages.Tests"), AppContext.BaseDirectory), "atlas.dll"),
    ];

    /// <summary>A drained node runs nothing: every job stays queued, whatever the machine's speed.</summary>
    private static void Drain(SlurmCluster cluster) =>
        cluster.Client("scontrol", "update", $"NodeName={cluster.HostName}", "State=DRAIN", "Reason=atlas-test").OutputOrThrow();

    /// <summary>Every stage output's recorded hash, by path, from the lock records, but the report's.</summary>
    private static Dictionary<string, string> Outputs(string root) =>
        Directory.EnumerateFiles(Path.Combine(root, "artifacts", "micro"), "lock.json", SearchOption.AllDirectories)
            .Where(file => Path.GetFileName(Path.GetDirectoryName(file)) != StageIds.Report)
            .SelectMany(file => JsonNode.Parse(File.ReadAllText(file))!["outputs"]!.AsObject())
            .ToDictionary(o => o.Key, o => o.Value!["sha256"]!.GetValue<string>());
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Atlas.Pipeline.Execution;
using Atlas.Pipeline.Provenance;

namespace Atlas.Stages.Execution;

/// <summary>What a parallel local run is asked to do.</summary>
/// <param name="AtlasCommand">How to start the CLI: its executable and leading arguments (<c>atlas</c>, or
/// <c>dotnet exec atlas.dll</c>), to which <c>worker --spec …</c> is added.</param>
/// <param name="Jobs">Stages at once, each in one of as many worker processes, with the spec's thread count.</param>
/// <param name="Targets">Stages whose results are wanted (with everything they need); empty: the whole graph.</param>
/// <param name="Force">Run every stage of the closure, up to date or not.</param>
public sealed record LocalExecutionOptions(IReadOnlyList<string> AtlasCommand, int Jobs, IReadOnlyList<string> Targets, bool Force)
{
    /// <summary>The default job count: the machine's cores over the spec's threads per stage, at least 1.</summary>
    public static int DefaultJobs(int threadsPerStage) => Math.Max(1, Environment.ProcessorCount / Math.Max(1, threadsPerStage));
}

/// <summary>
/// Runs an experiment's stale stages on this machine, several at once (<see cref="GraphScheduler"/>), each in one of
/// <see cref="LocalExecutionOptions.Jobs"/> <c>atlas worker</c> processes (<see cref="StageWorker"/>) that run one stage
/// at a time as <c>atlas run</c> does (a fresh session, the spec's threads, the seed of its id), so every stage computes
/// exactly what it computes alone, byte for byte, without paying a process start per stage. Each stage's output goes
/// to its log (<see cref="ArtifactLayout.StageLog"/>) and, prefixed with the stage id, to the console; a start and an
/// end line per stage show progress, and a summary closes the run. Cancelling (Ctrl-C) kills every worker; the locks of
/// the stages they ran then say nothing finished, and the next run resumes from what did.
/// </summary>
public sealed class LocalExecution(ExperimentSession session, LocalExecutionOptions options, TextWriter console) : GraphScheduler.IProgress
{
    private readonly object consoleLock = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly ConcurrentBag<StageWorkerProcess> idleWorkers = [];
    private readonly Lazy<IReadOnlyDictionary<string, double>> approvedSeconds = new(() => ApprovedStageSeconds.Read(session.Context));

    /// <summary>Runs what is stale among the targets' closure; returns every stage considered, in graph order.</summary>
    public async Task<IReadOnlyList<StageExecution>> RunAsync(CancellationToken cancel)
    {
        var closure = ExecutionScope.Closure(session, options.Targets);
        var toRun = ExecutionScope.ToRun(session, closure, options.Force);
        Write($"{toRun.Count} of {closure.Count} stages to run, {options.Jobs} at a time ({session.Context.Spec.Threads} thread(s) each); logs in {Path.Combine(session.Context.Layout.ExperimentDir, "logs")}/");
        try
        {
            var results = await GraphScheduler.RunAsync(session.Graph, toRun, options.Jobs, Cost, RunStageAsync, this, cancel).ConfigureAwait(false);
            Write(Summary(results));
            return results;
        }
        finally
        {
            while (idleWorkers.TryTake(out var worker)) worker.Dispose();
        }
    }

    /// <summary>The seconds the stage took last time (its lock record); never run here, the seconds it took in the run
    /// whose tables were approved (<see cref="ApprovedStageSeconds"/>); new to the graph, one plus the number of stages
    /// downstream of it. The scheduler adds the costs along each chain, so the stage heading the longest chain starts
    /// first.</summary>
    private double Cost(string id)
    {
        var record = LockStore.Read(session.Context.Absolute(session.Context.Layout.StageDir(id))).Record;
        if (record is { Status: LockStatus.Succeeded }) return record.DurationSeconds;
        return approvedSeconds.Value.TryGetValue(id, out double seconds) ? seconds : 1 + session.Graph.Downstream(id).Count;
    }

    private async Task<StageOutcome> RunStageAsync(string id, CancellationToken cancel)
    {
        var logPath = session.Context.Absolute(session.Context.Layout.StageLog(id));
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        await using var log = new StreamWriter(logPath, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { AutoFlush = true };
        bool upToDate = false;
        string prefix = $"[{id}]";
        void Relay(string line)
        {
            lock (log) log.WriteLine(line);
            if (line == ExperimentSession.UpToDateLine(id)) upToDate = true;
            Write(line.StartsWith(prefix, StringComparison.Ordinal) ? line : $"{prefix} {line}");
        }

        // A stage that measures its process's memory gets a worker of its own, used once.
        bool alone = session.StageNamed(id).MeasuresProcessMemory;
        var worker = alone ? StartWorker() : RentWorker();
        int exitCode;
        try
        {
            exitCode = await worker.RunAsync(id, Relay, cancel).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            worker.Dispose();
            lock (log) log.WriteLine("(stopped: the run was interrupted)");
            return StageOutcome.Cancelled;
        }
        if (exitCode == 0)
        {
            if (alone) worker.Dispose();
            else idleWorkers.Add(worker);
            return upToDate ? StageOutcome.UpToDate : StageOutcome.Succeeded;
        }
        worker.Dispose(); // it exits after a failure; the next stage gets a fresh one
        lock (log) log.WriteLine($"(exit code {exitCode})");
        return StageOutcome.Failed;
    }

    /// <summary>An idle worker, or a new one. At most <see cref="LocalExecutionOptions.Jobs"/> stages run at once, so a
    /// run keeps that many workers, and starts one more for each stage that <see cref="Stage.MeasuresProcessMemory"/>.</summary>
    private StageWorkerProcess RentWorker()
    {
        while (idleWorkers.TryTake(out var idle))
        {
            if (idle.IsAlive) return idle;
            idle.Dispose();
        }
        return StartWorker();
    }

    private StageWorkerProcess StartWorker()
    {
        List<string> arguments = ["worker", "--spec", session.Context.SpecPath];
        if (options.Force) arguments.Add("--force");
        // The stages run side by side under this process's experiment lock.
        var environment = new Dictionary<string, string> { [ExperimentLock.HolderVariable] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture) };
        return StageWorkerProcess.Start(options.AtlasCommand, arguments, environment);
    }

    void GraphScheduler.IProgress.Started(string id, int startedSoFar, int total, IReadOnlyCollection<string> running) =>
        Write($"▶ {id} started ({startedSoFar}/{total}; running: {string.Join(", ", running)})");

    void GraphScheduler.IProgress.Finished(StageExecution execution, int finishedSoFar, int total)
    {
        string seconds = Seconds(execution.Duration);
        Write(execution.Outcome switch
        {
            StageOutcome.Succeeded => $"✓ {execution.Id} done in {seconds} s ({finishedSoFar}/{total})",
            StageOutcome.UpToDate => $"✓ {execution.Id} up to date after all ({finishedSoFar}/{total})",
            StageOutcome.Cancelled => $"■ {execution.Id} stopped after {seconds} s",
            _ => $"✗ {execution.Id} FAILED after {seconds} s; its log: {session.Context.Layout.StageLog(execution.Id)}\n{ExecutionScope.Tail(session.Context.Absolute(session.Context.Layout.StageLog(execution.Id)))}",
        });
    }

    /// <summary>One line per stage (outcome and seconds), the time per phase, the wall time and the speed-up over
    /// running the same stages one after another.</summary>
    private string Summary(IReadOnlyList<StageExecution> results)
    {
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine("stage                                 outcome       start s   seconds");
        foreach (var r in results)
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{r.Id,-37} {Pipeline.Specs.SpecNames.Of(r.Outcome),-12} {(r.Started is { } s ? Seconds(s) : "-"),8} {Seconds(r.Duration),9}{(r.BlockedBy is { } b ? $"  (after {b} failed)" : "")}");
        text.AppendLine();
        text.AppendLine("phase            stages   seconds");
        foreach (var phase in results.GroupBy(r => session.Graph[r.Id].Phase))
            text.AppendLine(CultureInfo.InvariantCulture, $"{phase.Key,-16} {phase.Count(),6} {Seconds(TimeSpan.FromTicks(phase.Sum(r => r.Duration.Ticks))),9}");
        var total = TimeSpan.FromTicks(results.Sum(r => r.Duration.Ticks));
        var failed = results.Where(r => r.Outcome == StageOutcome.Failed).Select(r => r.Id).ToList();
        var stopped = results.Count(r => r.Outcome is StageOutcome.Cancelled or StageOutcome.NotStarted);
        double speedup = clock.Elapsed.TotalSeconds > 0 ? total.TotalSeconds / clock.Elapsed.TotalSeconds : 0;
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"{results.Count(r => r.Outcome == StageOutcome.Succeeded)} ran, {results.Count(r => r.Outcome == StageOutcome.UpToDate)} up to date after all, ")
            + $"{failed.Count} failed, {stopped} stopped or not started; wall {Seconds(clock.Elapsed)} s for {Seconds(total)} s of stage time "
            + string.Create(CultureInfo.InvariantCulture, $"({speedup:F2}× with {options.Jobs} jobs)"));
        if (failed.Count > 0) text.AppendLine($"failed: {string.Join(", ", failed)}: see their logs above; a rerun resumes");
        return text.ToString();
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture);

    private void Write(string line)
    {
        lock (consoleLock) console.WriteLine(line);
    }
}

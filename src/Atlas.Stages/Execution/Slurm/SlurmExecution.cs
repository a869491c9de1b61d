using System.Diagnostics;
using System.Globalization;
using System.Text;
using Atlas.Pipeline.Execution;
using Atlas.Pipeline.Provenance;
using Atlas.Store;

namespace Atlas.Stages.Execution.Slurm;

/// <summary>What a Slurm run is asked to do.</summary>
/// <param name="AtlasCommand">The CLI each job runs (absolute executable and leading arguments), on the shared filesystem.</param>
/// <param name="Targets">Stages whose results are wanted (with everything they need); empty: the whole graph.</param>
/// <param name="Force">Run every stage of the closure, up to date or not.</param>
/// <param name="Wait">Wait for the jobs and report; false returns once they are submitted (a later submission attaches).</param>
/// <param name="Poll">How often the queue is read while waiting.</param>
public sealed record SlurmExecutionOptions(IReadOnlyList<string> AtlasCommand, IReadOnlyList<string> Targets, bool Force, bool Wait, TimeSpan Poll);

/// <summary>A stage's job as the record of submissions keeps it.</summary>
/// <param name="Ref">The job id, or <c>id_index</c> for an array task.</param>
public sealed record SubmittedStage(string Ref, string JobName, DateTimeOffset SubmittedUtc);

/// <summary>
/// Runs an experiment's stale stages as Slurm batch jobs: one job per stage, or a job array per family of stages that
/// wait for the same producers (<see cref="SlurmJobPlan"/>), each job after its producers' jobs
/// (<c>--dependency=afterok:</c>) and cancelled by Slurm when one of them fails (<c>--kill-on-invalid-dep=yes</c>), so a
/// failure stops exactly what depends on it. Every job runs the same <c>atlas run</c> a local build runs, hence the same
/// outputs. The driver holds the experiment while it submits and waits, shows each state change, reads final states
/// from <c>scontrol</c> once <c>squeue</c> (read for all jobs at once) shows a job ended (no accounting database needed), keeps each stage's log under <c>logs/</c>, and on a failure
/// prints the failed stage's log tail and what was cancelled because of it. A stage already queued or running (from an
/// earlier submission that stopped waiting) is not submitted again: its job is waited for and depended on.
/// </summary>
public sealed class SlurmExecution(ExperimentSession session, SlurmExecutionOptions options, SlurmClient slurm, TextWriter console)
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private ExperimentContext Context => session.Context;

    /// <summary>Prints the jobs a submission would make (their scripts, with <c>{stage}</c> for a producer's job id)
    /// and the dependency graph between them, submitting nothing.</summary>
    public void DryRun()
    {
        var closure = ExecutionScope.Closure(session, options.Targets);
        var toRun = ExecutionScope.ToRun(session, closure, options.Force);
        var jobs = SlurmJobPlan.Build(Context.Spec, session.Graph, toRun);
        console.WriteLine($"dry run: {toRun.Count} of {closure.Count} stages would be submitted as {jobs.Count} Slurm jobs ({jobs.Count(j => j.IsArray)} of them arrays); nothing is submitted");
        var jobOf = JobsByStage(jobs);
        foreach (var job in jobs)
        {
            var dependencies = ProducerJobs(job, jobOf, toRun).Select(d => $"{{{d}}}").ToList();
            console.WriteLine();
            console.WriteLine($"---- {ScriptName(job)} ----");
            console.Write(SlurmJobPlan.Script(job, JobContext(), dependencies));
        }
        console.WriteLine();
        console.WriteLine("dependency graph (job ← the jobs it waits for with afterok):");
        foreach (var job in jobs)
        {
            var producers = ProducerJobs(job, jobOf, toRun).Select(s => jobOf[s].Name).Distinct().ToList();
            console.WriteLine($"  {job.Name}{(job.IsArray ? $" ({string.Join(", ", job.Stages)})" : "")} ← {(producers.Count == 0 ? "nothing" : string.Join(", ", producers))}");
        }
    }

    /// <summary>Submits what is stale (attaching to what is already queued), then, if asked, waits for every job and
    /// reports. Cancelling while waiting cancels the jobs still queued or running.</summary>
    public async Task<IReadOnlyList<StageExecution>> RunAsync(CancellationToken cancel)
    {
        var closure = ExecutionScope.Closure(session, options.Targets);
        var stale = ExecutionScope.ToRun(session, closure, options.Force);
        var record = ReadRecord();
        var attached = Attach(record, stale);
        var toSubmit = stale.Where(id => !attached.ContainsKey(id)).ToHashSet(StringComparer.Ordinal);
        var jobs = SlurmJobPlan.Build(Context.Spec, session.Graph, toSubmit);
        Write($"{stale.Count} of {closure.Count} stages to run: {toSubmit.Count} submitted as {jobs.Count} Slurm job(s) ({jobs.Count(j => j.IsArray)} array(s)), "
              + $"{attached.Count} already queued or running; scripts in {Context.Layout.SlurmDir}/, logs in {Context.Layout.LogsDir}/");

        var refs = new Dictionary<string, string>(attached, StringComparer.Ordinal);
        var submittedAt = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var (stage, previous) in record.Where(r => attached.ContainsKey(r.Key))) submittedAt[stage] = previous.SubmittedUtc;
        Submit(jobs, refs, submittedAt, record);

        if (!options.Wait)
        {
            Write($"submitted; the jobs run without this process. `atlas execute --executor slurm` again waits for them (it submits nothing twice); `scancel {string.Join(' ', refs.Values.Select(BaseId).Distinct())}` cancels them");
            return [];
        }
        var final = await WaitAsync(refs, cancel).ConfigureAwait(false);
        var results = Results(stale, refs, final);
        Write(Summary(results, refs, final, submittedAt));
        return results;
    }

    /// <summary>The stages of <paramref name="stale"/> whose recorded job is still pending or running.</summary>
    private Dictionary<string, string> Attach(Dictionary<string, SubmittedStage> record, HashSet<string> stale)
    {
        var candidates = record.Where(r => stale.Contains(r.Key)).ToList();
        if (candidates.Count == 0) return new(StringComparer.Ordinal);
        var states = slurm.Query(candidates.Select(c => BaseId(c.Value.Ref)));
        var active = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (stage, job) in candidates)
            if (states.TryGetValue(job.Ref, out var status) && status.State.IsActive())
                active[stage] = job.Ref;
        return active;
    }

    private void Submit(IReadOnlyList<SlurmJob> jobs, Dictionary<string, string> refs,
        Dictionary<string, DateTimeOffset> submittedAt, Dictionary<string, SubmittedStage> record)
    {
        var submittedNow = new List<string>();
        Directory.CreateDirectory(Context.Absolute(Context.Layout.SlurmDir));
        Directory.CreateDirectory(Context.Absolute(Path.Combine(Context.Layout.LogsDir, "slurm")));
        try
        {
            foreach (var job in jobs)
            {
                // A producer is waited for when it runs now or is still queued from before; an up-to-date one is done.
                var dependencies = job.DependsOn.Where(refs.ContainsKey).Select(d => refs[d]).Distinct().ToList();
                var script = Context.Absolute(Path.Combine(Context.Layout.SlurmDir, ScriptName(job)));
                foreach (var stage in job.Stages) Directory.CreateDirectory(Path.GetDirectoryName(Context.Absolute(Context.Layout.StageLog(stage)))!);
                AtomicFile.WriteAllText(script, SlurmJobPlan.Script(job, JobContext(), dependencies));
                string id = slurm.Submit(script);
                submittedNow.Add(id);
                var now = DateTimeOffset.UtcNow;
                foreach (var stage in job.Stages)
                {
                    refs[stage] = job.RefOf(id, stage);
                    submittedAt[stage] = now;
                    record[stage] = new SubmittedStage(refs[stage], job.Name, now);
                }
                Write($"⇢ {job.Name} submitted as job {id}{(dependencies.Count > 0 ? $", after {string.Join(", ", dependencies)}" : "")}");
                AtomicFile.WriteJson(Context.Absolute(Context.Layout.SlurmJobsRecord), record);
            }
        }
        catch (InvalidOperationException)
        {
            // Nothing half-submitted stays queued: what this submission queued would wait for jobs that never come.
            if (submittedNow.Count > 0)
            {
                Write($"submission failed; cancelling the {submittedNow.Count} job(s) it had submitted: {string.Join(' ', submittedNow)}");
                slurm.Cancel(submittedNow);
            }
            throw;
        }
    }

    /// <summary>Reads the queue until every job has ended, printing each state change.</summary>
    private async Task<IReadOnlyDictionary<string, SlurmJobStatus>> WaitAsync(Dictionary<string, string> refs, CancellationToken cancel)
    {
        var last = new Dictionary<string, SlurmJobStatus>(StringComparer.Ordinal);
        var ended = new Dictionary<string, SlurmJobStatus>(StringComparer.Ordinal);
        while (ended.Count < refs.Count)
        {
            if (cancel.IsCancellationRequested)
            {
                var active = refs.Values.Where(r => !ended.ContainsKey(r)).ToList();
                Write($"interrupted: cancelling {active.Count} job(s) still queued or running: {string.Join(' ', active)}");
                slurm.Cancel(active);
                // A job that had started counts as stopped, one still queued as never started.
                foreach (var r in active)
                    ended[r] = new SlurmJobStatus(r, SlurmJobState.Cancelled, "CANCELLED", "interrupted", null, last.GetValueOrDefault(r)?.StartedUtc, null);
                break;
            }
            var states = slurm.Query(refs.Values.Where(r => !ended.ContainsKey(r)).Select(BaseId));
            foreach (var (stage, jobRef) in refs)
            {
                if (ended.ContainsKey(jobRef)) continue;
                states.TryGetValue(jobRef, out var status);
                // An ended job's final record (state, reason, exit code) comes from scontrol.
                if (status is null || !status.State.IsActive()) status = slurm.Final(jobRef) ?? status;
                if (status is null)
                {
                    // Gone from the controller (MinJobAge passed): its lock says whether the stage finished.
                    bool done = LockStore.Read(Context.Absolute(Context.Layout.StageDir(stage))).Record is { Status: LockStatus.Succeeded };
                    status = new SlurmJobStatus(jobRef, done ? SlurmJobState.Completed : SlurmJobState.Other, "UNKNOWN", "no longer known to the controller", null, null, null);
                }
                if (!last.TryGetValue(jobRef, out var before) || before.State != status.State) Report(stage, status, ended.Count + (status.State.IsActive() ? 0 : 1), refs.Count);
                last[jobRef] = status;
                if (!status.State.IsActive()) ended[jobRef] = status;
            }
            if (ended.Count < refs.Count)
            {
                try
                {
                    await Task.Delay(options.Poll, cancel).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // handled at the top of the loop
                }
            }
        }
        return ended;
    }

    private void Report(string stage, SlurmJobStatus status, int endedSoFar, int total)
    {
        string job = $"job {status.Ref}";
        switch (status.State)
        {
            case SlurmJobState.Pending:
                // Waiting for a producer, or just queued, is what a pending job does; another reason (Resources,
                // Priority, a partition or account limit) is worth a line.
                if (status.Reason is not ("None" or "Dependency")) Write($"… {stage} pending ({job}: {status.Reason})");
                break;
            case SlurmJobState.Running:
                Write($"▶ {stage} running ({job}{Latency(status)})");
                break;
            case SlurmJobState.Completed:
                Write($"✓ {stage} done ({job}{RunSeconds(status)}) ({endedSoFar}/{total})");
                break;
            case SlurmJobState.Cancelled:
                Write($"■ {stage} cancelled ({job}: {status.Reason}) ({endedSoFar}/{total})");
                break;
            default:
                Write($"✗ {stage} FAILED ({job}: {status.StateName}{(status.ExitCode is { } code ? $", exit code {code}" : "")}, {status.Reason}); its log: {Context.Layout.StageLog(stage)}\n"
                      + ExecutionScope.Tail(Context.Absolute(Context.Layout.StageLog(stage))));
                break;
        }
    }

    private static string Latency(SlurmJobStatus s) =>
        s is { SubmittedUtc: { } submitted, StartedUtc: { } started } ? string.Create(CultureInfo.InvariantCulture, $", started {(started - submitted).TotalSeconds:F0} s after submission") : "";

    private static string RunSeconds(SlurmJobStatus s) =>
        s is { StartedUtc: { } started, EndedUtc: { } end } ? string.Create(CultureInfo.InvariantCulture, $", ran {(end - started).TotalSeconds:F0} s") : "";

    /// <summary>Each stage's outcome: a completed job whose stage found itself up to date counts as such; a cancelled one
    /// names the failed stage upstream that caused it.</summary>
    private List<StageExecution> Results(HashSet<string> stale, Dictionary<string, string> refs, IReadOnlyDictionary<string, SlurmJobStatus> final)
    {
        var outcome = new Dictionary<string, StageOutcome>(StringComparer.Ordinal);
        foreach (var stage in stale)
        {
            var status = final[refs[stage]];
            outcome[stage] = status.State switch
            {
                SlurmJobState.Completed => UpToDateInLog(stage) ? StageOutcome.UpToDate : StageOutcome.Succeeded,
                // squeue gives a job cancelled while pending its cancel time as start and end.
                SlurmJobState.Cancelled => status.StartedUtc is null || status.StartedUtc == status.EndedUtc
                    || status.Reason.StartsWith("Dependency", StringComparison.Ordinal) ? StageOutcome.NotStarted : StageOutcome.Cancelled,
                _ => StageOutcome.Failed,
            };
        }
        string? FailedUpstream(string stage)
        {
            foreach (var dependency in session.Graph[stage].DependsOn)
            {
                if (outcome.GetValueOrDefault(dependency) == StageOutcome.Failed) return dependency;
                if (outcome.ContainsKey(dependency) && FailedUpstream(dependency) is { } deeper) return deeper;
            }
            return null;
        }
        var start = DateTimeOffset.UtcNow - clock.Elapsed;
        return session.Graph.TopologicalOrder().Where(n => stale.Contains(n.Id)).Select(n =>
        {
            var status = final[refs[n.Id]];
            TimeSpan? started = status.StartedUtc is { } s ? new DateTimeOffset(s) - start : null;
            var duration = status is { StartedUtc: { } a, EndedUtc: { } b } ? b - a : TimeSpan.Zero;
            return new StageExecution(n.Id, outcome[n.Id], started, duration,
                outcome[n.Id] is StageOutcome.NotStarted or StageOutcome.Cancelled ? FailedUpstream(n.Id) : null);
        }).ToList();
    }

    private bool UpToDateInLog(string stage)
    {
        var path = Context.Absolute(Context.Layout.StageLog(stage));
        return File.Exists(path) && File.ReadLines(path).Any(l => l == ExperimentSession.UpToDateLine(stage));
    }

    /// <summary>One line per stage (job, state, submit-to-start, start latency, run and submit-to-end seconds; Slurm's
    /// times have whole seconds), the time per phase, the
    /// failures with what they cancelled, and the wall time.</summary>
    private string Summary(IReadOnlyList<StageExecution> results, Dictionary<string, string> refs,
        IReadOnlyDictionary<string, SlurmJobStatus> final, Dictionary<string, DateTimeOffset> submittedAt)
    {
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine("stage                                 job          outcome      queued s  start latency s    run s   submit→end s");
        foreach (var r in results)
        {
            var status = final[refs[r.Id]];
            DateTimeOffset? submitted = status.SubmittedUtc is { } v ? new DateTimeOffset(v) : submittedAt.TryGetValue(r.Id, out var at) ? at : null;
            string queued = submitted is { } q && status.StartedUtc is { } st ? Seconds(new DateTimeOffset(st) - q) : "-";
            string run = status is { StartedUtc: not null, EndedUtc: not null } ? Seconds(r.Duration) : "-";
            string total = submitted is { } q2 && status.EndedUtc is { } en ? Seconds(new DateTimeOffset(en) - q2) : "-";
            // From the moment the job could start (submitted, and its last producer of this run ended) to its start:
            // what the scheduler adds to each stage, plus any wait for free resources.
            var ready = session.Graph[r.Id].DependsOn.Where(refs.ContainsKey).Select(d => final[refs[d]].EndedUtc)
                .Where(e => e is not null).Select(e => new DateTimeOffset(e!.Value)).Append(submitted ?? DateTimeOffset.MinValue).Max();
            string latency = status.StartedUtc is { } begun && submitted is not null ? Seconds(new DateTimeOffset(begun) - ready) : "-";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{r.Id,-37} {refs[r.Id],-12} {Pipeline.Specs.SpecNames.Of(r.Outcome),-12} {queued,8} {latency,16} {run,8} {total,14}{(r.BlockedBy is { } b ? $"  (cancelled: {b} failed)" : "")}");
        }
        text.AppendLine();
        text.AppendLine("phase            stages    run s");
        foreach (var phase in results.GroupBy(r => session.Graph[r.Id].Phase))
            text.AppendLine(CultureInfo.InvariantCulture, $"{phase.Key,-16} {phase.Count(),6} {Seconds(TimeSpan.FromTicks(phase.Sum(r => r.Duration.Ticks))),8}");
        var failed = results.Where(r => r.Outcome == StageOutcome.Failed).Select(r => r.Id).ToList();
        foreach (var stage in failed)
        {
            var cancelled = results.Where(r => r.BlockedBy == stage).Select(r => r.Id).ToList();
            text.AppendLine($"{stage} failed (job {refs[stage]}); log {Context.Layout.StageLog(stage)}; cancelled because of it: {(cancelled.Count == 0 ? "nothing" : string.Join(", ", cancelled))}");
        }
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"{results.Count(r => r.Outcome == StageOutcome.Succeeded)} ran, {results.Count(r => r.Outcome == StageOutcome.UpToDate)} up to date after all, ")
            + $"{failed.Count} failed, {results.Count(r => r.Outcome is StageOutcome.Cancelled or StageOutcome.NotStarted)} cancelled; wall {Seconds(clock.Elapsed)} s"
            + (failed.Count > 0 ? "; a rerun resumes from what finished" : ""));
        return text.ToString();
    }

    private SlurmJobContext JobContext() => new(
        Context.RepositoryRoot, Context.SpecPath, options.AtlasCommand,
        stage => Context.Absolute(Context.Layout.StageLog(stage)),
        Context.Absolute(Path.Combine(Context.Layout.LogsDir, "slurm")), options.Force);

    private static Dictionary<string, SlurmJob> JobsByStage(IReadOnlyList<SlurmJob> jobs) =>
        jobs.SelectMany(j => j.Stages.Select(s => (s, j))).ToDictionary(p => p.s, p => p.j, StringComparer.Ordinal);

    /// <summary>The stages among a job's producers that run in the same submission.</summary>
    private static IEnumerable<string> ProducerJobs(SlurmJob job, Dictionary<string, SlurmJob> jobOf, HashSet<string> toRun) =>
        job.DependsOn.Where(d => toRun.Contains(d) && jobOf.ContainsKey(d));

    /// <summary>The script's file name: its first stage's id, made a file name, with <c>+n</c> for an array's n others.</summary>
    private static string ScriptName(SlurmJob job) =>
        job.Stages[0].Replace('/', '.') + (job.IsArray ? $"+{(job.Stages.Count - 1).ToString(CultureInfo.InvariantCulture)}" : "") + ".sbatch";

    private static string BaseId(string jobRef) => jobRef.Split('_')[0];

    private Dictionary<string, SubmittedStage> ReadRecord()
    {
        var path = Context.Absolute(Context.Layout.SlurmJobsRecord);
        if (!File.Exists(path)) return new(StringComparer.Ordinal);
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, SubmittedStage>>(File.ReadAllText(path)) is { } read
                ? new(read, StringComparer.Ordinal) : new(StringComparer.Ordinal);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidOperationException($"{path}: not a record of submitted jobs ({e.Message}); delete it if no job of this experiment is queued", e);
        }
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture);

    private void Write(string line)
    {
        lock (console) console.WriteLine(line);
    }
}

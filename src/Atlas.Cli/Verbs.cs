using System.Text.Json;
using Atlas.Bench;
using Atlas.Data;
using Atlas.Models;
using Atlas.Pipeline.Graph;
using Atlas.Pipeline.Specs;
using Atlas.Stages;
using Atlas.Stages.Audit;
using Atlas.Stages.Execution;
using Atlas.Stages.Execution.Slurm;
using Atlas.Stages.Checkpoints;
using Atlas.Stages.RoCrate;

namespace Atlas.Cli;

/// <summary>The CLI verbs: open the experiment, call one method, turn known failures into a message and exit code.</summary>
internal static class Verbs
{
    /// <summary>Exit code for a spec that fails validation (nothing was run or written).</summary>
    private const int InvalidSpec = 2;

    /// <summary>Prints the graph. Only the graph is checked: a reviewer without the data, the checkpoints or the
    /// spec's environment variables can plan a paper spec (unset variables stay literal, with one warning line).</summary>
    public static int Plan(FileInfo spec, bool json) => WithSession(spec, json ? Console.Error : Console.Out, SpecCheckLevel.GraphOnly, session =>
    {
        var freshness = session.Plan();
        Console.Write(json
            ? StagePlan.ToJson(session.Graph, node => freshness[node.Id])
            : StagePlan.RenderText(session.Graph, node => freshness[node.Id].ToString()));
        return 0;
    });

    /// <summary>Runs one stage under the experiment's lock (<see cref="ExperimentLock"/>): a second writer waits, and
    /// then finds the stage up to date if the first one ran it.</summary>
    public static int Run(FileInfo spec, string stage, bool force) => WithSession(spec, Console.Out, session =>
    {
        _ = session.StageNamed(stage); // an unknown stage is refused before anything is written
        using var held = ExperimentLock.Acquire(session.Context, $"atlas run --stage {stage}", Console.Out);
        session.Run(stage, force);
        return 0;
    });

    /// <summary>Runs the stage ids read from standard input one after another, each exactly as <see cref="Run"/> (a fresh
    /// session, the lock, the exit code), for <c>execute</c>'s local executor (<see cref="StageWorker"/>).</summary>
    public static int Worker(FileInfo spec, bool force)
    {
        Console.SetError(Console.Out); // one ordered stream, which the executor cuts into stages at each done line
        return StageWorker.Serve(Console.In, Console.Out, stage => Run(spec, stage, force));
    }

    /// <summary>How this CLI was started, to start it again (a worker, or one process per Slurm job): the apphost <c>atlas</c>, or
    /// <c>dotnet exec atlas.dll</c> (as the tests run it).</summary>
    private static IReadOnlyList<string> ThisCommand()
    {
        string process = Environment.ProcessPath ?? throw new InvalidOperationException("cannot locate the atlas executable");
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? [process, "exec", System.Reflection.Assembly.GetEntryAssembly()?.Location ?? throw new InvalidOperationException("cannot locate atlas.dll")]
            : [process];
    }

    /// <summary>Exit code of a run stopped by Ctrl-C or SIGTERM (128 + SIGINT, as a shell reports it).</summary>
    private const int Interrupted = 130;

    /// <summary>Runs the stale stages in parallel processes (<see cref="LocalExecution"/>) or as Slurm jobs
    /// (<see cref="SlurmExecution"/>). Ctrl-C or SIGTERM stops every running stage (cancels every queued or running job);
    /// what finished stays finished, and the next run resumes. A Slurm dry run needs only the graph, like <c>plan</c>.</summary>
    public static int Execute(FileInfo spec, int? jobs, IReadOnlyList<string> targets, bool force, ExecutorKind executor, bool dryRun, bool noWait)
    {
        if ((dryRun || noWait) && executor != ExecutorKind.Slurm)
            return Usage($"{(dryRun ? "--dry-run" : "--no-wait")} applies to --executor slurm only");
        if (dryRun && noWait) return Usage("--dry-run submits nothing, so --no-wait has nothing to return from");
        return WithSession(spec, Console.Out, dryRun ? SpecCheckLevel.GraphOnly : SpecCheckLevel.Complete, session =>
        {
            foreach (var target in targets) _ = session.StageNamed(target);
            if (dryRun)
            {
                new SlurmExecution(session, new SlurmExecutionOptions(ThisCommand(), targets, force, Wait: false, SlurmPoll), new SlurmClient(), Console.Out).DryRun();
                return 0;
            }
            var local = new LocalExecutionOptions(ThisCommand(), jobs ?? LocalExecutionOptions.DefaultJobs(session.Context.Spec.Threads), targets, force);
            if (local.Jobs < 1) throw new ArgumentException($"--jobs {local.Jobs}: at least one stage must run at a time");
            using var held = ExperimentLock.Acquire(session.Context, "atlas execute", Console.Out);
            using var interrupt = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                e.Cancel = true; // stop the stages first, then exit with the summary
                interrupt.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            using var onTerminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                interrupt.Cancel();
            });
            try
            {
                var results = executor == ExecutorKind.Slurm
                    ? new SlurmExecution(session, new SlurmExecutionOptions(ThisCommand(), targets, force, Wait: !noWait, SlurmPoll), new SlurmClient(), Console.Out)
                        .RunAsync(interrupt.Token).GetAwaiter().GetResult()
                    : new LocalExecution(session, local, Console.Out).RunAsync(interrupt.Token).GetAwaiter().GetResult();
                if (interrupt.IsCancellationRequested)
                {
                    Console.Error.WriteLine(executor == ExecutorKind.Slurm
                        ? "interrupted: every queued or running job was cancelled; run again to resume"
                        : "interrupted: every running stage was stopped; run again to resume");
                    return Interrupted;
                }
                return results.Any(r => r.Outcome is Atlas.Pipeline.Execution.StageOutcome.Failed or Atlas.Pipeline.Execution.StageOutcome.NotStarted
                    or Atlas.Pipeline.Execution.StageOutcome.Cancelled) ? 1 : 0;
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        });
    }

    /// <summary>Options that contradict each other: one line, exit code 1, nothing opened.</summary>
    private static int Usage(string problem)
    {
        Console.Error.WriteLine($"error: {problem}");
        return 1;
    }

    /// <summary>How often the Slurm executor reads the queue (<c>ATLAS_SLURM_POLL_SECONDS</c>, default 2 s).</summary>
    private static TimeSpan SlurmPoll =>
        TimeSpan.FromSeconds(double.TryParse(Environment.GetEnvironmentVariable("ATLAS_SLURM_POLL_SECONDS"), System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? seconds : 2);

    public static int Validate(FileInfo spec) => WithSession(spec, Console.Out, session =>
    {
        Console.WriteLine($"{spec}: valid ({session.Context.Spec.Tasks.Count} tasks, {session.Stages.Count} stages)");
        return 0;
    });

    /// <summary>Compares the recomputed tables with the approved ones (and the paper's): it reads tables only, so a
    /// reviewer can verify an experiment without its data or checkpoints.</summary>
    public static int Verify(FileInfo spec) =>
        WithSession(spec, Console.Out, SpecCheckLevel.GraphOnly, session => new TableVerification(session.Context).Verify() ? 0 : 1);

    /// <summary>Copies the received tables over the approved ones; like <see cref="Verify"/>, it needs no data.</summary>
    public static int Approve(FileInfo spec) =>
        WithSession(spec, Console.Out, SpecCheckLevel.GraphOnly, session =>
        {
            using var held = ExperimentLock.Acquire(session.Context, "atlas approve", Console.Out);
            new TableVerification(session.Context).Approve();
            if (ApprovedStageSeconds.Write(session) is int stages)
                Console.Out.WriteLine($"[approve] the durations of {stages} stages → {session.Context.Spec.Verify!.Approved}/{ApprovedStageSeconds.FileName} (orders a cold run)");
            return 0;
        });

    /// <summary>Deletes the experiment's artifacts, which needs neither its data nor its files.</summary>
    public static int Clean(FileInfo spec) => WithSession(spec, Console.Out, SpecCheckLevel.GraphOnly, session =>
    {
        using (ExperimentLock.Acquire(session.Context, "atlas clean", Console.Out)) session.Clean();
        return 0;
    });

    /// <summary>Audits a finished experiment, in the repository or a copy of its artifacts folder, reading the spec's graph only:
    /// neither its data nor its checkpoints need be present. Exit 1 when anything breaks the chain.</summary>
    public static int Audit(FileInfo spec, DirectoryInfo? artifacts) => WithSession(spec, Console.Error, SpecCheckLevel.GraphOnly, session =>
    {
        var folder = ArtifactFolder.Of(session.Context, artifacts?.FullName);
        if (!Directory.Exists(folder.Location)) throw new DirectoryNotFoundException($"{folder.Location}: no artifacts folder to audit");
        var report = ExperimentAudit.Run(session, folder, () => TableCellCheck.Findings(session.Context, folder));
        Console.Write(report.Render());
        return report.Passed ? 0 : 1;
    });

    /// <summary>Writes the experiment's RO-Crate into its artifacts folder (or the copy), reading the spec's graph only:
    /// like <see cref="Audit"/>, it needs neither the data nor the checkpoints.</summary>
    public static int Crate(FileInfo spec, DirectoryInfo? artifacts, string? license) => WithSession(spec, Console.Error, SpecCheckLevel.GraphOnly, session =>
    {
        var folder = ArtifactFolder.Of(session.Context, artifacts?.FullName);
        if (!Directory.Exists(folder.Location)) throw new DirectoryNotFoundException($"{folder.Location}: no artifacts folder to export");
        Console.Write(RoCrateExport.Write(folder, session.Context.Spec.Name, license).Render());
        return 0;
    });

    /// <summary>Prints the lineage of one table cell (<see cref="CellTrace"/>), here or in a copy of the artifacts folder.</summary>
    public static int Trace(FileInfo spec, string table, string row, string column, DirectoryInfo? artifacts) =>
        WithSession(spec, Console.Error, SpecCheckLevel.GraphOnly, session =>
        {
            Console.Write(new CellTrace(session, ArtifactFolder.Of(session.Context, artifacts?.FullName)).Render(table, row, column));
            return 0;
        });

    public static int ImportMiniData(DirectoryInfo mnist, DirectoryInfo fashion, DirectoryInfo sklearn, DirectoryInfo output) =>
        Guard(() =>
        {
            var manifest = MiniDataImporter.Import(mnist.FullName, fashion.FullName, sklearn.FullName, output.FullName);
            Console.WriteLine($"wrote {manifest.Sources.Count} sources to {output}");
            return 0;
        });

    public static int Bench(
        DirectoryInfo output, string size, int threads, int rounds, FileInfo python, FileInfo? spec, double? coldSeconds, double? warmSeconds) => Guard(() =>
    {
        var benchSize = BenchSize.Get(size);
        TorchSharp.torch.set_num_threads(threads);
        string executable = Environment.ProcessPath ?? throw new InvalidOperationException("cannot locate the atlas executable");
        string script = Path.Combine(AppContext.BaseDirectory, "PyTorch", "reference_steps.py");
        var reference = ChildProcesses.PyTorch(python.FullName, script, benchSize, threads);
        if (reference is null) Console.Error.WriteLine($"warning: {python} cannot run the PyTorch reference (no torch?); its columns stay empty");
        var header = BenchHeader.Current(reference?.Description ?? $"none ({python} has no torch)");
        StageTiming? stage = null;
        if (spec is not null)
        {
            using var session = ExperimentSession.Open(spec.ToString(), Console.Error);
            stage = StageTiming.FirstFineTune(session);
        }
        var runner = new BenchRunner(benchSize, threads, rounds, ChildProcesses.Project(executable, benchSize, threads), reference, Console.Out);
        var result = runner.Run(header, stage, new EndToEnd(coldSeconds, warmSeconds));
        BenchReport.Write(result, output.FullName);
        Console.WriteLine($"wrote {Path.Combine(output.FullName, "report.md")} and report.json");
        return 0;
    });

    public static int BenchStep(string size, int threads, string operation, int tasks, int? partitions) => Guard(() =>
    {
        TorchSharp.torch.set_num_threads(threads);
        var measurement = StepBenchmark.Run(BenchSize.Get(size), new StepRequest(operation, tasks, partitions));
        Console.WriteLine(JsonSerializer.Serialize(measurement, ChildProcesses.Json));
        return 0;
    });

    /// <summary>
    /// CLIP token id rows of <paramref name="texts"/> as the text tower receives them, as a JSON array holding one
    /// array per text (one per line), to compare with open_clip's or Hugging Face's tokenizer.
    /// </summary>
    public static int Tokenize(string vocabulary, int contextLength, IReadOnlyList<string> texts) => Guard(() =>
    {
        var tokenizer = ClipBpeTokenizer.Load(vocabulary);
        var rows = texts.Select(text => JsonSerializer.Serialize(tokenizer.EncodeRow(text, contextLength)));
        Console.WriteLine("[\n  " + string.Join(",\n  ", rows) + "\n]");
        return 0;
    });

    /// <summary>Writes a CLIP checkpoint in any supported format as the project's safetensors (project names, fp32),
    /// checked against <paramref name="model"/>: a built-in configuration's name or a model-configuration JSON file
    /// (open_clip or Hugging Face); without it, the one built-in configuration the file's shapes fit.</summary>
    public static int Convert(string? model, FileInfo input, FileInfo output) => Guard(() =>
    {
        var config = model is null ? null : ResolveModel(model);
        var (used, count) = CheckpointConversion.Convert(input.FullName, output.FullName, config, ClipConfig.Presets);
        Console.WriteLine($"wrote {count} fp32 tensors in project names ({used.Name}) to {output}");
        return 0;
    });

    /// <summary>Writes the unnormalised CLIP embeddings of preprocessed images (or image files, preprocessed here) and/or token rows or texts (tokenised with
    /// the vocabulary at <paramref name="vocabulary"/>, default the checkpoint's folder) to <paramref name="output"/>.</summary>
    public static int Embed(
        string model, FileInfo checkpoint, FileInfo? pixels, DirectoryInfo? images, FileInfo? tokens, IReadOnlyList<string> texts,
        string? vocabulary, FileInfo output) => Guard(() =>
    {
        var written = ClipEmbedding.Run(ResolveModel(model), checkpoint.FullName, pixels?.FullName, tokens?.FullName, texts,
            vocabulary, output.FullName, images?.FullName);
        Console.WriteLine($"wrote {string.Join(", ", written.Select(t => $"{t.Name} [{string.Join(", ", t.Shape)}]"))} to {output}");
        return 0;
    });

    /// <summary>A <c>--model</c> value: a model-configuration JSON file (open_clip or Hugging Face) or a built-in configuration's name.</summary>
    private static ClipConfig ResolveModel(string model) =>
        model.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? ClipConfigFile.Load(model) : ClipConfig.Get(model);

    /// <summary>Lists a checkpoint's tensors (name, dtype, shape), its naming and the built-in configurations it fits.</summary>
    public static int Inspect(FileInfo checkpoint) => Guard(() =>
    {
        Console.Write(CheckpointInspection.Of(checkpoint.FullName, ClipConfig.Presets).Render());
        return 0;
    });

    private static int WithSession(FileInfo spec, TextWriter log, Func<ExperimentSession, int> verb) =>
        WithSession(spec, log, SpecCheckLevel.Complete, verb);

    private static int WithSession(FileInfo spec, TextWriter log, SpecCheckLevel level, Func<ExperimentSession, int> verb) => Guard(() =>
    {
        using var session = ExperimentSession.Open(spec.ToString(), log, level: level);
        return verb(session);
    });

    /// <summary>Known failures (bad spec, bad or missing files) print one clear message instead of a stack trace.</summary>
    private static int Guard(Func<int> verb)
    {
        try
        {
            return verb();
        }
        catch (SpecException e)
        {
            Console.Error.WriteLine(e.Message);
            return InvalidSpec;
        }
        catch (ModelConfigException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or ArgumentException or StageGraphException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}

using System.Globalization;
using System.Text;
using Atlas.Pipeline.Graph;
using Atlas.Pipeline.Specs;

namespace Atlas.Stages.Execution.Slurm;

/// <summary>One batch job: a single stage, or a job array whose task <c>i</c> runs <see cref="Stages"/>[i].</summary>
/// <param name="Name">The job's name in the queue: <c>&lt;experiment&gt;:&lt;stage&gt;</c>, or
/// <c>&lt;experiment&gt;:&lt;family&gt;[n]</c> for an array.</param>
/// <param name="DependsOn">The stages whose jobs it waits for (every member's, identical for an array's members).</param>
public sealed record SlurmJob(string Name, string Family, IReadOnlyList<string> Stages, SlurmResources Resources, IReadOnlyList<string> DependsOn)
{
    public bool IsArray => Stages.Count > 1;

    /// <summary>The queue reference of the job's stage <paramref name="stage"/>: the job id, or <c>id_index</c> for an
    /// array task (Slurm accepts both in <c>--dependency</c>, <c>squeue -j</c> and <c>scancel</c>).</summary>
    public string RefOf(string jobId, string stage) =>
        IsArray ? $"{jobId}_{IndexOf(stage).ToString(CultureInfo.InvariantCulture)}" : jobId;

    private int IndexOf(string stage)
    {
        for (int i = 0; i < Stages.Count; i++)
            if (Stages[i] == stage) return i;
        throw new ArgumentException($"{stage} is not a stage of job {Name}", nameof(stage));
    }
}

/// <summary>Where the jobs run from and what they run: the same <c>atlas run</c> a local build calls, from the
/// repository on the shared filesystem.</summary>
/// <param name="RepositoryRoot">Absolute; every node must see it at the same path.</param>
/// <param name="AtlasCommand">The CLI (absolute executable and leading arguments).</param>
/// <param name="LogFor">A stage's log file, absolute.</param>
/// <param name="SlurmLogDirectory">Absolute folder for what Slurm itself writes about an array task (a time-limit kill).</param>
public sealed record SlurmJobContext(string RepositoryRoot, string SpecPath, IReadOnlyList<string> AtlasCommand, Func<string, string> LogFor, string SlurmLogDirectory, bool Force);

/// <summary>
/// Turns the stages to run into batch jobs, in an order where every job comes after the jobs it depends on, and writes
/// their scripts. A job's resources are its family's (<see cref="SlurmSpec.Families"/>) over the spec's defaults over
/// the built-in ones (<c>cpus</c> = the spec's threads; one GPU for a stage on the spec's CUDA device). With
/// <see cref="SlurmSpec.JobArrays"/>, the stages of one family that wait for exactly the same stages and ask for the same
/// resources become one array: no member then waits longer than alone, and a failure cancels exactly what depends on
/// the failed stage, as one job per stage would.
/// </summary>
public static class SlurmJobPlan
{
    /// <summary>The jobs for <paramref name="toRun"/> (stage ids), in dependency order.</summary>
    public static IReadOnlyList<SlurmJob> Build(ExperimentSpec spec, StageGraph graph, IReadOnlySet<string> toRun)
    {
        var slurm = spec.Slurm ?? new SlurmSpec();
        var jobs = new List<SlurmJob>();
        var grouped = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var order = new List<string>(); // group keys in order of first member
        foreach (var node in graph.TopologicalOrder().Where(n => toRun.Contains(n.Id)))
        {
            var resources = ResourcesOf(spec, slurm, node.Id);
            string key = slurm.JobArrays
                ? $"{StageIds.FamilyOf(node.Id)}\n{string.Join(',', node.DependsOn.Distinct().Order(StringComparer.Ordinal))}\n{Describe(resources)}"
                : node.Id;
            if (!grouped.TryGetValue(key, out var members))
            {
                grouped[key] = members = [];
                order.Add(key);
            }
            members.Add(node.Id);
        }
        foreach (var key in order)
        {
            var members = grouped[key];
            string family = StageIds.FamilyOf(members[0]);
            string name = members.Count > 1
                ? $"{spec.Name}:{family}[{members.Count.ToString(CultureInfo.InvariantCulture)}]"
                : $"{spec.Name}:{members[0]}";
            jobs.Add(new SlurmJob(name, family, members, ResourcesOf(spec, slurm, members[0]),
                [.. graph[members[0]].DependsOn.Distinct()]));
        }
        return jobs;
    }

    /// <summary>The resources of <paramref name="stageId"/>'s job: its family's fields, else the defaults', else the
    /// built-in ones: the spec's thread count of CPUs and, under a CUDA spec, one GPU (every stage's process checks for
    /// one when it loads such a spec, including the stages that compute nothing on it).</summary>
    public static SlurmResources ResourcesOf(ExperimentSpec spec, SlurmSpec slurm, string stageId)
    {
        var builtIn = new SlurmResources
        {
            Cpus = spec.Threads,
            Gpus = spec.Device == ComputeDevice.Cuda ? 1 : null,
        };
        var family = slurm.Families.GetValueOrDefault(StageIds.FamilyOf(stageId)) ?? new SlurmResources();
        return family.Over(slurm.Defaults.Over(builtIn));
    }

    /// <summary>The job's batch script: its <c>#SBATCH</c> options (resources, name, log, dependencies) and the
    /// <c>atlas run</c> of its stage (of the array task's stage).</summary>
    /// <param name="dependencyRefs">The queue references of the jobs it waits for (<c>afterok</c>); symbolic in a dry run.</param>
    public static string Script(SlurmJob job, SlurmJobContext context, IReadOnlyList<string> dependencyRefs)
    {
        var text = new StringBuilder();
        text.Append("#!/bin/bash\n");
        text.Append(CultureInfo.InvariantCulture, $"# {(job.IsArray ? $"{job.Stages.Count} stages of family {job.Family}, one per array task" : $"stage {job.Stages[0]}")}; written by atlas execute --executor slurm\n");
        void Option(string option) => text.Append("#SBATCH ").Append(option).Append('\n');
        Option($"--job-name={job.Name}");
        Option($"--chdir={context.RepositoryRoot}");
        Option(job.IsArray
            ? $"--output={Path.Combine(context.SlurmLogDirectory, $"{job.Family}-%A_%a.out")}"
            : $"--output={context.LogFor(job.Stages[0])}");
        if (job.IsArray) Option($"--array=0-{(job.Stages.Count - 1).ToString(CultureInfo.InvariantCulture)}");
        var r = job.Resources;
        if (r.Cpus is int cpus) Option($"--cpus-per-task={cpus.ToString(CultureInfo.InvariantCulture)}");
        if (r.Mem is { } mem) Option($"--mem={mem}");
        if (r.Gpus is int gpus and > 0) Option($"--gres=gpu:{gpus.ToString(CultureInfo.InvariantCulture)}");
        if (r.Time is { } time) Option($"--time={time}");
        if (r.Partition is { } partition) Option($"--partition={partition}");
        if (r.Account is { } account) Option($"--account={account}");
        foreach (var extra in r.Sbatch) Option(extra);
        if (dependencyRefs.Count > 0) Option($"--dependency=afterok:{string.Join(':', dependencyRefs)}");
        // A failed or cancelled producer cancels this job (and so on down the graph) instead of leaving it pending.
        Option("--kill-on-invalid-dep=yes");
        text.Append("set -euo pipefail\n");
        text.Append(CultureInfo.InvariantCulture, $"export {ExperimentLock.HolderVariable}={ExperimentLock.SlurmJobHolder}\n");
        string run = string.Join(' ', [.. context.AtlasCommand.Select(Quote), "run", "--spec", Quote(context.SpecPath), "--stage"]);
        string force = context.Force ? " --force" : "";
        if (!job.IsArray)
        {
            text.Append(CultureInfo.InvariantCulture, $"exec {run} {Quote(job.Stages[0])}{force}\n");
            return text.ToString();
        }
        text.Append("stages=(").Append(string.Join(' ', job.Stages.Select(Quote))).Append(")\n");
        text.Append("logs=(").Append(string.Join(' ', job.Stages.Select(s => Quote(context.LogFor(s))))).Append(")\n");
        // Each task writes its stage's own log, as a single job does through --output.
        text.Append(CultureInfo.InvariantCulture, $"exec {run} \"${{stages[$SLURM_ARRAY_TASK_ID]}}\"{force} >\"${{logs[$SLURM_ARRAY_TASK_ID]}}\" 2>&1\n");
        return text.ToString();
    }

    /// <summary>A word for bash, single-quoted when it needs it.</summary>
    public static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+=:,@%".Contains(c)) ? word : $"'{word.Replace("'", "'\"'\"'", StringComparison.Ordinal)}'";

    private static string Describe(SlurmResources r) =>
        $"{r.Cpus}|{r.Mem}|{r.Gpus}|{r.Time}|{r.Partition}|{r.Account}|{string.Join(' ', r.Sbatch)}";
}

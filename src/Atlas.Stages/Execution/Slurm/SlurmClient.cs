using System.Diagnostics;
using System.Globalization;

namespace Atlas.Stages.Execution.Slurm;

/// <summary>One job's (or array task's) state as <c>squeue</c> shows it.</summary>
/// <param name="Ref">The job id, <c>123</c>, or an array task's, <c>123_4</c>.</param>
/// <param name="StateName">Slurm's own name of the state (<c>FAILED</c>, <c>TIMEOUT</c>, <c>OUT_OF_MEMORY</c>…).</param>
/// <param name="Reason">Why it is pending or how it ended (<c>Dependency</c>, <c>DependencyNeverSatisfied</c>, <c>None</c>…).</param>
/// <param name="ExitCode">The job's <c>exit:signal</c> (as <c>scontrol</c> reports it) once it has ended; null before.</param>
public sealed record SlurmJobStatus(string Ref, SlurmJobState State, string StateName, string Reason, DateTime? SubmittedUtc, DateTime? StartedUtc, DateTime? EndedUtc,
    string? ExitCode = null);

/// <summary>
/// Slurm's client commands, as a user types them: <c>sbatch</c> submits, <c>squeue</c> reads the states of many jobs in
/// one call, <c>scontrol</c> an ended job's final record (state, reason, exit code), <c>scancel</c> cancels. Finished
/// jobs stay readable while the controller keeps their records (<c>MinJobAge</c>), so no accounting database is needed.
/// The commands find the cluster as they always do (<c>SLURM_CONF</c> or the system's configuration).
/// </summary>
public sealed class SlurmClient(IReadOnlyDictionary<string, string>? environment = null)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Submits the batch script at <paramref name="scriptPath"/> (its <c>#SBATCH</c> lines carry every option);
    /// returns the job id.</summary>
    public string Submit(string scriptPath)
    {
        string output = Run("sbatch", ["--parsable", scriptPath]).Trim();
        string id = output.Split(';')[0]; // "id" or "id;cluster"
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            throw new InvalidOperationException($"sbatch {scriptPath} answered '{output}', not a job id");
        return id;
    }

    /// <summary>The states of the jobs <paramref name="jobIds"/> (plain ids; an array's tasks are listed one by one), for
    /// every job the controller still knows. A job missing from the answer is no longer known.</summary>
    public IReadOnlyDictionary<string, SlurmJobStatus> Query(IEnumerable<string> jobIds)
    {
        var ids = jobIds.Distinct().ToList();
        var states = new Dictionary<string, SlurmJobStatus>(StringComparer.Ordinal);
        if (ids.Count == 0) return states;
        // -r: one line per array task; -t all: finished jobs too; %i id, %T state, %r reason, %V submit, %S start, %e end.
        string output = Run("squeue", ["-h", "-r", "-t", "all", "-j", string.Join(',', ids), "-o", "%i|%T|%r|%V|%S|%e"], toleratesUnknownJobs: true);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split('|');
            if (fields.Length < 6) continue;
            var state = SlurmJobStates.Parse(fields[1]);
            bool finished = !state.IsActive();
            states[fields[0]] = new SlurmJobStatus(fields[0], state, fields[1], fields[2], Time(fields[3]), Time(fields[4]), finished ? Time(fields[5]) : null);
        }
        return states;
    }

    /// <summary>The final record of an ended job or array task (<c>scontrol -o show job</c>: state, reason, exit code and
    /// times, kept by the controller for <c>MinJobAge</c> without any accounting database); null when the controller no
    /// longer knows it.</summary>
    public SlurmJobStatus? Final(string jobRef)
    {
        string output = Run("scontrol", ["-o", "show", "job", jobRef], toleratesUnknownJobs: true);
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        if (line is null) return null;
        // "Key=Value Key=Value …"; values hold no spaces except in fields read here as a whole token.
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(f => f.Split('=', 2)).Where(f => f.Length == 2)
            .GroupBy(f => f[0]).ToDictionary(g => g.Key, g => g.First()[1], StringComparer.Ordinal);
        if (!fields.TryGetValue("JobState", out var state)) return null;
        return new SlurmJobStatus(jobRef, SlurmJobStates.Parse(state), state, fields.GetValueOrDefault("Reason") ?? "",
            Time(fields.GetValueOrDefault("SubmitTime") ?? ""), Time(fields.GetValueOrDefault("StartTime") ?? ""), Time(fields.GetValueOrDefault("EndTime") ?? ""),
            fields.GetValueOrDefault("ExitCode"));
    }

    /// <summary>Cancels <paramref name="refs"/> (jobs or array tasks); an unknown or finished one is ignored.</summary>
    public void Cancel(IEnumerable<string> refs)
    {
        var list = refs.Distinct().ToList();
        if (list.Count > 0) Run("scancel", list, toleratesUnknownJobs: true);
    }

    private static DateTime? Time(string text) =>
        DateTime.TryParseExact(text, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var local)
            ? local.ToUniversalTime() : null;

    private string Run(string command, IReadOnlyList<string> arguments, bool toleratesUnknownJobs = false)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        if (environment is not null)
            foreach (var (name, value) in environment) start.Environment[name] = value;
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {command}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{command} could not be started ({e.Message}): is Slurm's client installed and on the PATH? (Debian: apt-get install slurm-client)", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(CommandTimeout))
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"{command} did not answer within {CommandTimeout.TotalSeconds:F0} s: is slurmctld reachable?");
            }
            string output = stdout.GetAwaiter().GetResult(), error = stderr.GetAwaiter().GetResult().Trim();
            // squeue -j with ids the controller forgot answers "Invalid job id specified" and exit 1: that means finished.
            if (process.ExitCode != 0 && !(toleratesUnknownJobs && error.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase)))
                throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed (exit {process.ExitCode}): {error}");
            return output;
        }
    }
}

using System.Globalization;

namespace Atlas.Testing;

/// <summary>
/// One record of <c>scontrol -o show job</c>: a job, or one task of a job array. The finished job's record lives
/// <c>MinJobAge</c> seconds (the fixture keeps it an hour); there is no accounting database to ask after that.
/// </summary>
public sealed record SlurmJob(IReadOnlyDictionary<string, string> Fields)
{
    /// <summary>The job's own id (for an array task, the task's id, not the array's).</summary>
    public string JobId => Fields["JobId"];

    public string Name => Fields.GetValueOrDefault("JobName", "");

    public SlurmJobState State => SlurmJobStates.Parse(StateName);

    /// <summary>The state's text as Slurm printed it (e.g. <c>CANCELLED</c>).</summary>
    public string StateName => Fields.GetValueOrDefault("JobState", "");

    /// <summary>Why the job is pending or ended (e.g. <c>None</c>, <c>Dependency</c>, <c>DependencyNeverSatisfied</c>).</summary>
    public string Reason => Fields.GetValueOrDefault("Reason", "");

    /// <summary>The array's job id, or null when the job is not an array task.</summary>
    public string? ArrayJobId => Fields.GetValueOrDefault("ArrayJobId");

    /// <summary>The task index (or, for the array's still pending remainder, a range like <c>1-2</c>); null outside arrays.</summary>
    public string? ArrayTaskId => Fields.GetValueOrDefault("ArrayTaskId");

    /// <summary>The batch script's exit status (the part before the colon of <c>ExitCode=status:signal</c>).</summary>
    public int ExitStatus => int.Parse(Fields.GetValueOrDefault("ExitCode", "0:0").Split(':')[0], CultureInfo.InvariantCulture);

    /// <summary>The signal that ended the script, 0 when none.</summary>
    public int ExitSignal => int.Parse(Fields.GetValueOrDefault("ExitCode", "0:0").Split(':')[1], CultureInfo.InvariantCulture);

    public DateTime? SubmitTime => Time("SubmitTime");

    /// <summary>When it started (for a pending job, Slurm's estimate or nothing); second resolution, local time.</summary>
    public DateTime? StartTime => Time("StartTime");

    public DateTime? EndTime => Time("EndTime");

    public string? StandardOutputPath => Fields.GetValueOrDefault("StdOut");

    private DateTime? Time(string field) =>
        DateTime.TryParseExact(Fields.GetValueOrDefault(field), "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time
            : null;

    /// <summary>
    /// The records of <c>scontrol -o show job</c> output, one a line. A line is <c>Key=Value</c> pairs separated by
    /// spaces; a value that itself holds spaces (rare: a command's arguments) continues until the next <c>Key=</c>.
    /// </summary>
    public static IReadOnlyList<SlurmJob> ParseAll(string output)
    {
        var jobs = new List<SlurmJob>();
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            string? last = null;
            foreach (string token in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                int equals = token.IndexOf('=');
                if (equals > 0 && !fields.ContainsKey(token[..equals]))
                {
                    last = token[..equals];
                    fields[last] = token[(equals + 1)..];
                }
                else if (last is not null)
                {
                    fields[last] += " " + token;
                }
            }
            if (fields.ContainsKey("JobId")) jobs.Add(new SlurmJob(fields));
        }
        return jobs;
    }
}

using System.ComponentModel.DataAnnotations;

namespace Atlas.Pipeline.Specs;

/// <summary>
/// What each stage asks of a Slurm cluster when the graph runs there (<c>./build.sh --executor=slurm</c>): the
/// resources of one batch job. <see cref="Defaults"/> apply to every stage; <see cref="Families"/> override them field
/// by field for one stage family (the first segment of a stage id: <c>finetune</c>, <c>fewshot</c>, …). None of it
/// changes what a stage computes, so none of it is in the lock records: the same spec runs locally unchanged.
/// </summary>
public sealed record SlurmSpec : ISpecSection
{
    /// <summary>Options Atlas sets on every job itself; an <c>sbatch</c> entry may not set them again, in their long
    /// or (<see cref="ReservedShortOptions"/>) short form.</summary>
    public static IReadOnlyList<string> ReservedOptions { get; } =
        ["--job-name", "--output", "--error", "--dependency", "--kill-on-invalid-dep", "--array", "--parsable", "--chdir", "--wrap"];

    /// <summary>The short forms of <see cref="ReservedOptions"/> (<c>-J</c> job name, <c>-o</c> output, <c>-e</c> error,
    /// <c>-d</c> dependency, <c>-a</c> array, <c>-D</c> working folder), written with or without a space.</summary>
    public static IReadOnlyList<string> ReservedShortOptions { get; } = ["-J", "-o", "-e", "-d", "-a", "-D"];

    /// <summary>Resources of every stage's job, unless its family overrides them.</summary>
    public SlurmResources Defaults { get; init; } = new();

    /// <summary>Per stage family (a stage id's first segment, e.g. <c>finetune</c>, <c>addition</c>), the fields that
    /// differ from <see cref="Defaults"/>.</summary>
    public Dictionary<string, SlurmResources> Families { get; init; } = new();

    /// <summary>Submit the stages of a family that wait for exactly the same stages and ask for the same resources as one
    /// job array (<c>--array</c>), each task running one stage: fewer jobs for the scheduler, one line in
    /// <c>squeue</c>, and no stage waiting longer than alone. <c>false</c> submits one job per stage.</summary>
    public bool JobArrays { get; init; } = true;

    void ISpecSection.Check(SpecValidator check, FieldPath path)
    {
        var known = check.Context.StageFamilies;
        CheckResources(check, Defaults, path.Key("defaults"));
        foreach (var (family, resources) in Families)
        {
            var at = path.Key("families").Key(family);
            if (known.Count > 0 && !known.Contains(family))
            {
                var hint = NameSuggestion.Closest(family, known) is { } suggestion ? $"; did you mean '{suggestion}'?" : "";
                check.Fail(at, $"unknown stage family '{family}'{hint} (families: {string.Join(", ", known)})");
            }
            CheckResources(check, resources, at);
        }
    }

    private static void CheckResources(SpecValidator check, SlurmResources resources, FieldPath path)
    {
        if (resources.Gpus is 0 && check.Spec.Device == ComputeDevice.Cuda)
            check.Fail(path.Key("gpus"), "the spec runs on cuda, and every stage's process checks for a GPU when it loads the spec; give at least 1 (or leave it unset)");
        if (resources.Cpus is int cpus && cpus < check.Spec.Threads)
            check.Fail(path.Key("cpus"), $"{cpus} CPU(s) per job, but every stage runs {check.Spec.Threads} threads (top-level 'threads'); give at least {check.Spec.Threads}");
        for (int i = 0; i < resources.Sbatch.Count; i++)
        {
            string option = resources.Sbatch[i];
            if (!option.StartsWith('-'))
                check.Fail(path.Key("sbatch").Index(i), $"'{option}' is not an sbatch option (e.g. --qos=high)");
            else if ((ReservedOptions.FirstOrDefault(r => option == r || option.StartsWith(r + "=", StringComparison.Ordinal))
                      ?? ReservedShortOptions.FirstOrDefault(r => option.StartsWith(r, StringComparison.Ordinal) && !option.StartsWith("--", StringComparison.Ordinal))) is { } reserved)
                check.Fail(path.Key("sbatch").Index(i), $"{reserved} is set by Atlas for every job (it names the job and its log and links it to its producers' jobs)");
        }
    }
}

/// <summary>One batch job's resources; an unset field falls back to <see cref="SlurmSpec.Defaults"/>, then to the
/// cluster's own default (the built-in defaults: <c>cpus</c> = the spec's <c>threads</c>; one GPU per job under
/// <c>device: cuda</c>, none otherwise).</summary>
public sealed record SlurmResources
{
    /// <summary>CPUs for the stage's process (<c>--cpus-per-task</c>); at least the spec's <c>threads</c>.</summary>
    [Range(1, int.MaxValue)]
    public int? Cpus { get; init; }

    /// <summary>Memory per job (<c>--mem</c>), in Slurm's notation: a number with an optional K, M, G or T suffix.</summary>
    [RegularExpression("^[0-9]+[KMGT]?$", ErrorMessage = "must be Slurm memory, e.g. 16G or 16000M")]
    public string? Mem { get; init; }

    /// <summary>GPUs per job (<c>--gres=gpu:N</c>); 0 asks for none.</summary>
    [Range(0, int.MaxValue)]
    public int? Gpus { get; init; }

    /// <summary>Time limit (<c>--time</c>): <c>MM</c>, <c>HH:MM:SS</c> or <c>D-HH:MM:SS</c>.</summary>
    [RegularExpression(@"^([0-9]+-)?[0-9]+(:[0-9]{2}){0,2}$", ErrorMessage = "must be a Slurm time limit, e.g. 90, 04:00:00 or 1-12:00:00")]
    public string? Time { get; init; }

    /// <summary>Partition (<c>--partition</c>).</summary>
    public string? Partition { get; init; }

    /// <summary>Account charged (<c>--account</c>).</summary>
    public string? Account { get; init; }

    /// <summary>Further sbatch options, each written as on the command line (e.g. <c>--qos=high</c>,
    /// <c>--constraint=a100</c>); appended after the defaults' own, so a family's come last.</summary>
    public List<string> Sbatch { get; init; } = [];

    /// <summary>This record's fields where set, else <paramref name="fallback"/>'s; sbatch options add up.</summary>
    public SlurmResources Over(SlurmResources fallback) => new()
    {
        Cpus = Cpus ?? fallback.Cpus,
        Mem = Mem ?? fallback.Mem,
        Gpus = Gpus ?? fallback.Gpus,
        Time = Time ?? fallback.Time,
        Partition = Partition ?? fallback.Partition,
        Account = Account ?? fallback.Account,
        Sbatch = [.. fallback.Sbatch, .. Sbatch],
    };
}

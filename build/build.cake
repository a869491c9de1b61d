// The reproduction graph as Cake tasks. The graph itself comes from the project's CLI (`atlas plan`), which reads the
// experiment spec: one task per stage (per task where it applies), plus phase targets. Anything touching tensors runs
// in the CLI, because TorchSharp's native library cannot load inside the Cake host.
using System.Globalization;
using System.Text.Json;

// Paths in specs and below are relative to the repository root, whatever the caller's directory.
Context.Environment.WorkingDirectory = MakeAbsolute(Directory(".."));

var target = Argument("target", "Default");
var spec = Argument("spec", "experiments/mini.yaml");
var force = HasArgument("force");
// --jobs=N runs N stages at once in N `atlas worker` processes (atlas execute schedules them); the default, --jobs=0,
// lets it use the machine's cores over the spec's threads per stage, and --jobs=1 keeps the one-stage-per-task
// sequential path (one `atlas run` process per stage). Measured on the 2-core machine (cold 3-layer mini from a fresh
// clone, nothing else running): ./build.sh 340 s, of which `atlas execute` 283.9 s for 530.2 s of stage time; with
// --jobs=1, 725 s and byte-identical tables (README, "Executors").
// --executor=slurm submits the stale stages to a Slurm cluster as batch jobs instead (README, "Executors"); with
// --target=Plan it prints the job scripts and their dependency graph and submits nothing.
var jobsArgument = HasArgument("jobs") ? Argument<int>("jobs") : 0;
var jobs = jobsArgument > 0 ? jobsArgument : (int?)null;
var executor = Argument("executor", "local").ToLowerInvariant();
if (executor != "local" && executor != "slurm") throw new CakeException(2, $"--executor={executor}: use local or slurm");
var slurm = executor == "slurm";
var parallel = jobs != 1 || slurm;
var graphExecuted = false;
const string Configuration = "Release";
var cli = MakeAbsolute(File("src/Atlas.Cli/bin/Release/net10.0/linux-x64/atlas")).FullPath;
var cliChecked = false;
var cold = HasArgument("cold");
// What Bench needs to time the reproduction it is part of (see ReproductionSeconds).
var stagesRun = 0;
var cleanedForColdRun = false;
var coldCleanSeconds = 0.0;
DateTime? verifiedAt = null;

// The script is cheap when it does nothing: the targets below need no stage graph, so for them the spec is not planned
// while the script loads, and the CLI is built only when a task actually calls it (never for Test, --tree or --dryrun).
// Every other target (a stage, a phase, Verify, Bench, Default) plans the spec at load: Cake needs the stage tasks
// defined to run them, and also to print --tree, --dryrun or --description, which it does from the defined tasks.
var standaloneTargets = new[] { "Test", "Clean", "Plan", "Audit", "Crate" };
var graphTarget = !standaloneTargets.Contains(target, StringComparer.OrdinalIgnoreCase);
var plan = graphTarget ? LoadPlan() : new List<PlannedStage>();

// Cake fails a run whose target task is skipped by its criteria ("Could not reach target"), so a stage picked as the
// target has none: it always calls `atlas run`, which skips an up-to-date stage itself.
foreach (var stage in plan)
{
    var stageId = stage.Id;
    var isTarget = string.Equals(stageId, target, StringComparison.OrdinalIgnoreCase);
    var task = Task(stageId)
        .Description(stage.Description)
        .WithCriteria(() => isTarget || force || cleanedForColdRun || !stage.UpToDate, stage.Reason)
        .Does(() =>
        {
            stagesRun++;
            if (!parallel)
            {
                Atlas("run", "--spec", spec, "--stage", stageId, force ? "--force" : "");
                return;
            }
            // In parallel, the first stage task Cake reaches runs everything the target needs through atlas execute;
            // the tasks after it find their stage done.
            if (graphExecuted) return;
            graphExecuted = true;
            var arguments = new List<string> { "execute", "--spec", spec };
            if (slurm) arguments.AddRange(new[] { "--executor", "slurm" });
            else if (jobs is int count) arguments.AddRange(new[] { "--jobs", count.ToString(CultureInfo.InvariantCulture) });
            foreach (var wanted in TargetStages()) arguments.AddRange(new[] { "--stage", wanted });
            if (force) arguments.Add("--force");
            Atlas(arguments.ToArray());
        });
    foreach (var dependency in stage.DependsOn) task.IsDependentOn(dependency);
}

// Phase targets come from the plan (each stage carries its phase), in order of first appearance, so a new experiment
// family needs no edit here. A phase with a single stage of the same name (data, pretrain, report) is that stage's
// task: Cake names are case-insensitive.
var phases = plan.Select(s => s.Phase).Where(p => p.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
foreach (var phase in phases.Where(p => !plan.Any(s => string.Equals(s.Id, p, StringComparison.OrdinalIgnoreCase))))
{
    var task = Task(phase).Description($"every {phase} stage of the spec and what it needs");
    foreach (var stage in plan.Where(s => s.Phase == phase)) task.IsDependentOn(stage.Id);
}

Task("Plan")
    .Description("print the stage graph with each stage's status, run nothing; with --executor=slurm, the job scripts and their dependency graph, submitting nothing")
    .Does(() =>
    {
        Atlas("plan", "--spec", spec);
        if (slurm) Atlas("execute", "--spec", spec, "--executor", "slurm", "--dry-run", force ? "--force" : "");
    });

// Audit runs nothing: it checks the finished experiment's lock records, hashes and tables, here or in a copy of the
// artifacts folder (--artifacts=DIR), with neither the data nor the checkpoints needed.
Task("Audit")
    .Description("check a finished experiment without running anything (every output, input chain, code version, table cell); --artifacts=DIR audits a copy")
    .Does(() => Atlas("audit", "--spec", spec, HasArgument("artifacts") ? "--artifacts" : "", HasArgument("artifacts") ? Argument<string>("artifacts") : ""));

// Crate runs nothing either: it writes the finished experiment's provenance as an RO-Crate (Workflow Run Crate 0.5),
// ro-crate-metadata.json in the artifacts folder (or the copy given by --artifacts=DIR), from the lock records.
Task("Crate")
    .Description("write the experiment's provenance as an RO-Crate (ro-crate-metadata.json in its artifacts folder); --artifacts=DIR exports a copy, --license=URI names the licence")
    .Does(() => Atlas("crate", "--spec", spec,
        HasArgument("artifacts") ? "--artifacts" : "", HasArgument("artifacts") ? Argument<string>("artifacts") : "",
        HasArgument("license") ? "--license" : "", HasArgument("license") ? Argument<string>("license") : ""));

// Verify compares the Report phase's tables; the standalone targets load no plan, so there is no Report to depend on.
if (graphTarget) Task("Verify")
    .Description("compare the recomputed tables with the approved ones, within the spec's tolerances")
    .IsDependentOn("Report")
    .Does(() =>
    {
        Atlas("verify", "--spec", spec);
        verifiedAt = DateTime.UtcNow;
    });

Task("Test")
    .Description("the unit and end-to-end tests (dotnet test)")
    .Does(() => DotNetTest("Atlas.Repro.sln", new DotNetTestSettings { Configuration = Configuration }));

// Bench times the reproduction it is part of, in this same run: no recursive ./build.sh. With --cold, BenchClean deletes
// the artifacts before any stage task (it is Bench's first dependency), and the stage graph then runs from scratch.
if (graphTarget) Task("BenchClean")
    .Description("with --cold: delete the experiment's artifacts first, so that Bench times a cold reproduction")
    .WithCriteria(() => cold, "no --cold: Bench times the reproduction as it finds it")
    .Does(() =>
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Atlas("clean", "--spec", spec);
        cleanedForColdRun = true;
        coldCleanSeconds = clock.Elapsed.TotalSeconds;
    });

if (graphTarget) Task("Bench")
    .Description("step time, memory and roofline against a PyTorch reference, plus this run's reproduction wall time (warm when no stage ran, cold with --cold); writes artifacts/bench/report.md")
    .IsDependentOn("BenchClean")
    .IsDependentOn("Verify")
    .Does(() =>
    {
        var seconds = ReproductionSeconds().ToString("R", CultureInfo.InvariantCulture);
        var endToEnd = new List<string>();
        if (cold) endToEnd.AddRange(new[] { "--cold-seconds", seconds });
        else if (stagesRun == 0) endToEnd.AddRange(new[] { "--warm-seconds", seconds });
        else Warning($"{stagesRun} stages ran in this run, so its wall time is neither a warm (no-op) nor a cold reproduction and the report leaves both out; run the Bench target again for the warm time.");
        Atlas(new[] { "bench", "--out", "artifacts/bench", "--spec", spec, "--size", Argument("bench-size", "mini"), "--threads", Argument("bench-threads", "1"),
            "--rounds", Argument("bench-rounds", "3") }.Concat(endToEnd).ToArray());
    });

// Bench never installs anything: without torch in python3 it warns first thing and the report has no PyTorch columns.
if (string.Equals(target, "Bench", StringComparison.OrdinalIgnoreCase)) Setup(context => WarnWithoutPyTorch());

Task("Clean")
    .Description("remove this experiment's artifacts")
    .Does(() => Atlas("clean", "--spec", spec));

if (graphTarget) Task("Default").IsDependentOn("Verify");

RunTarget(target);

// ---------------------------------------------------------------------------------------------------------------

void Atlas(params string[] arguments)
{
    var args = new ProcessArgumentBuilder();
    foreach (var argument in arguments.Where(a => a.Length > 0)) args.Append(argument);
    BuildCli();
    var exitCode = StartProcess(cli, new ProcessSettings { Arguments = args });
    if (exitCode != 0) throw new CakeException(exitCode, $"atlas {string.Join(" ", arguments)} failed with exit code {exitCode}");
}

// The bench's PyTorch side is Debian's python3-torch, a system package that the build does not install: installing it
// is the explicit step build/install-bench-tools.sh (README, "Benchmarks"). This looks for torch without importing it
// (milliseconds), because it runs inside the timed reproduction.
void WarnWithoutPyTorch()
{
    int exitCode;
    try
    {
        exitCode = StartProcess("/usr/bin/python3", new ProcessSettings
        {
            Arguments = "-c \"import importlib.util, sys; sys.exit(importlib.util.find_spec('torch') is None)\"",
            Silent = true,
        });
    }
    catch (System.ComponentModel.Win32Exception)
    {
        exitCode = -1; // no python3 at all
    }
    if (exitCode != 0)
        Warning("/usr/bin/python3 cannot import torch, so the bench report will have no PyTorch columns. Install Debian's python3-torch "
            + "with build/install-bench-tools.sh (apt-get, as root or with sudo; see README, \"Benchmarks\"), then rerun the Bench target.");
}

// Wall time of the reproduction in this run: from the start of ./build.sh (ATLAS_BUILD_STARTED_MS, which build.sh sets;
// this process's start when Cake was called directly) to the end of Verify, less the --cold clean. It covers the same
// span the whole ./build.sh command covers: Cake's start, the CLI check, the plan, every stage task and Verify.
double ReproductionSeconds()
{
    var processStart = System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime();
    var started = long.TryParse(EnvironmentVariable("ATLAS_BUILD_STARTED_MS"), out var milliseconds)
        ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).UtcDateTime
        : processStart;
    // A value inherited from some other shell is not this run's start.
    if (started > processStart.AddSeconds(1) || started < processStart.AddMinutes(-2)) started = processStart;
    return ((verifiedAt ?? DateTime.UtcNow) - started).TotalSeconds - coldCleanSeconds;
}

// The stages the Cake target asks for, for atlas execute (which adds what they need): the target stage, or a phase's
// stages; none (the whole graph) for Report, Verify, Bench and Default, which need every stage.
IEnumerable<string> TargetStages()
{
    var stage = plan.FirstOrDefault(s => string.Equals(s.Id, target, StringComparison.OrdinalIgnoreCase));
    if (stage is not null) return new[] { stage.Id };
    var phase = plan.Where(s => string.Equals(s.Phase, target, StringComparison.OrdinalIgnoreCase)).Select(s => s.Id).ToList();
    return phase;
}

List<PlannedStage> LoadPlan()
{
    BuildCli();
    var exitCode = StartProcess(cli, new ProcessSettings
    {
        Arguments = new ProcessArgumentBuilder().Append("plan").Append("--spec").Append(spec).Append("--json"),
        RedirectStandardOutput = true,
    }, out var output);
    if (exitCode != 0) throw new CakeException(exitCode, $"the spec {spec} could not be planned (see the message above)");
    var stages = JsonSerializer.Deserialize<List<PlannedStage>>(string.Join("\n", output),
        new JsonSerializerOptions { PropertyNameCaseInsensitive = true }) ?? new List<PlannedStage>();
    var stale = stages.Count(s => !s.UpToDate);
    Information(stale == 0 && !force
        ? $"All {stages.Count} stages of {spec} are up to date."
        : $"{(force ? stages.Count : stale)} of {stages.Count} stages of {spec} will run.");
    return stages;
}

// Even a no-op MSBuild run costs ~5 s on 2 cores, most of a no-op reproduction; skip it while the sources that go
// into the CLI hash the same as at its last successful build.
void BuildCli()
{
    if (cliChecked) return;
    cliChecked = true;
    var stampFile = File("build/tools/cli-sources.sha256");
    var sources = GetFiles("src/**/*.cs") + GetFiles("src/**/*.csproj") + GetFiles("Directory.*") + GetFiles("build/*.targets")
        + GetFiles("global.json") + GetFiles("src/**/*.json") + GetFiles("src/**/*.py");
    var sourceHash = SourceHash(sources.Where(f => !f.FullPath.Contains("/obj/") && !f.FullPath.Contains("/bin/")));
    if (FileExists(cli) && FileExists(stampFile) && System.IO.File.ReadAllText(stampFile) == sourceHash)
    {
        Information("CLI up to date (sources unchanged since its last build).");
        return;
    }
    DotNetBuild("src/Atlas.Cli/Atlas.Cli.csproj", new DotNetBuildSettings
    {
        Configuration = Configuration,
        Verbosity = DotNetVerbosity.Quiet,
        NoLogo = true,
    });
    EnsureDirectoryExists("build/tools");
    System.IO.File.WriteAllText(stampFile, sourceHash);
}

string SourceHash(IEnumerable<FilePath> files)
{
    using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
    foreach (var file in files.Select(f => f.FullPath).OrderBy(f => f, StringComparer.Ordinal))
    {
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes(file));
        sha.AppendData(System.IO.File.ReadAllBytes(file));
    }
    return Convert.ToHexString(sha.GetHashAndReset());
}

public sealed class PlannedStage
{
    public string Id { get; set; } = "";
    public string Phase { get; set; } = "";
    public string Description { get; set; } = "";
    public List<string> DependsOn { get; set; } = new();
    public bool UpToDate { get; set; }
    public string Reason { get; set; } = "";
}

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
const string Configuration = "Release";
var cli = MakeAbsolute(File("src/Atlas.Cli/bin/Release/net10.0/linux-x64/atlas")).FullPath;
var cliChecked = false;

// The script is cheap when it does nothing: the targets below need no stage graph, so for them the spec is not planned
// while the script loads, and the CLI is built only when a task actually calls it (never for Test, --tree or --dryrun).
// Every other target (a stage, a phase, Verify, Bench, Default) plans the spec at load: Cake needs the stage tasks
// defined to run them, and also to print --tree, --dryrun or --description, which it does from the defined tasks.
var standaloneTargets = new[] { "Test", "Clean", "Plan" };
var graphTarget = !standaloneTargets.Contains(target, StringComparer.OrdinalIgnoreCase);
var plan = graphTarget ? LoadPlan() : new List<PlannedStage>();

foreach (var stage in plan)
{
    var stageId = stage.Id;
    var task = Task(stageId)
        .Description(stage.Description)
        .WithCriteria(() => force || !stage.UpToDate, stage.Reason)
        .Does(() => Atlas("run", "--spec", spec, "--stage", stageId, force ? "--force" : ""));
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
    .Description("print the stage graph with each stage's status, run nothing")
    .Does(() => Atlas("plan", "--spec", spec));

// Verify compares the Report phase's tables; the standalone targets load no plan, so there is no Report to depend on.
if (graphTarget) Task("Verify")
    .Description("compare the recomputed tables with the approved ones, within the spec's tolerances")
    .IsDependentOn("Report")
    .Does(() => Atlas("verify", "--spec", spec));

Task("Test")
    .Description("the unit and end-to-end tests (dotnet test)")
    .Does(() => DotNetTest("Atlas.Repro.sln", new DotNetTestSettings { Configuration = Configuration }));

if (graphTarget) Task("Bench")
    .Description("step time, memory and roofline against a PyTorch reference, plus the reproduction's warm (and, with --cold, cold) wall time; writes artifacts/bench/report.md")
    .IsDependentOn("Verify")
    .Does(() =>
    {
        EnsurePyTorchReference();
        double? coldSeconds = null;
        if (HasArgument("cold"))
        {
            Atlas("clean", "--spec", spec);
            coldSeconds = TimedReproduction();
        }
        var warmSeconds = TimedReproduction();
        Atlas("bench", "--out", "artifacts/bench", "--spec", spec, "--size", Argument("bench-size", "mini"), "--threads", Argument("bench-threads", "1"),
            "--rounds", Argument("bench-rounds", "3"), "--warm-seconds", warmSeconds.ToString("R", CultureInfo.InvariantCulture),
            coldSeconds is { } cold ? "--cold-seconds" : "", coldSeconds is { } value ? value.ToString("R", CultureInfo.InvariantCulture) : "");
    });

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

// The bench's PyTorch side is Debian's python3-torch (the registries serve no other torch); install it where missing.
void EnsurePyTorchReference()
{
    try
    {
        if (StartProcess("/usr/bin/python3", new ProcessSettings { Arguments = "-c \"import torch\"", Silent = true }) == 0) return;
    }
    catch (System.ComponentModel.Win32Exception)
    {
        // no python3 at all: apt-get brings it with python3-torch
    }
    Information("Installing python3-torch for the bench's PyTorch reference (apt-get).");
    var sudo = System.Environment.UserName == "root" ? "" : "sudo ";
    var exitCode = StartProcess("bash", new ProcessSettings
    {
        Arguments = new ProcessArgumentBuilder().Append("-c").AppendQuoted($"{sudo}apt-get update -qq && {sudo}apt-get install -y -qq --no-install-recommends python3-torch"),
    });
    if (exitCode != 0) Warning("python3-torch could not be installed; the bench report will have no PyTorch columns.");
}

// Wall time of the whole reproduction (./build.sh, the README's main command) in a child process.
double TimedReproduction()
{
    var clock = System.Diagnostics.Stopwatch.StartNew();
    var exitCode = StartProcess("./build.sh", new ProcessSettings { Arguments = new ProcessArgumentBuilder().Append($"--spec={spec}") });
    if (exitCode != 0) throw new CakeException(exitCode, $"the timed reproduction of {spec} failed with exit code {exitCode}");
    return clock.Elapsed.TotalSeconds;
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

using System.Text.Json;
using System.Text.Json.Nodes;
using Atlas.Data;
using Atlas.Models;
using Atlas.Pipeline.Graph;
using Atlas.Pipeline.Provenance;
using Atlas.Pipeline.Specs;
using Atlas.Stages.Imports;
using Atlas.Store;
using static TorchSharp.torch;

namespace Atlas.Stages;

/// <summary>
/// One experiment opened from its spec: the stage graph, each stage's freshness against its lock record, and running
/// a stage with its provenance. The CLI verbs are thin calls of this class.
/// </summary>
public sealed class ExperimentSession : IDisposable
{
    /// <summary>What a spec may name: the mini sources, paper datasets, image transforms and backbones this build knows.</summary>
    public static SpecContext Known { get; } = new(
        SourceCatalog.ClassCounts, TaskViewBuilder.ValidTransforms, ClipConfig.Presets.Select(p => p.Name).ToList(),
        CudaAvailable: cuda.is_available)
    {
        PaperDatasets = PaperDataLayout.Known,
        StageFamilies = StageIds.Families,
    };

    private readonly Dictionary<string, Stage> _stages;
    private readonly HashCache _hashes;

    private ExperimentSession(ExperimentContext context)
    {
        Context = context;
        Stages = ExperimentGraph.Build(context);
        _stages = Stages.ToDictionary(s => s.Id);
        Graph = new StageGraph();
        // An import stage stands in for the stage it replaces: dependencies on that id lead to it.
        var standIns = Stages.Where(s => s.Replaces is not null).ToDictionary(s => s.Replaces!, s => s.Id, StringComparer.Ordinal);
        foreach (var stage in Stages)
            Graph.Add(new StageNode(stage.Id, stage.Phase, [.. stage.DependsOn.Select(d => standIns.GetValueOrDefault(d, d))], stage.Description));
        Graph.Validate();
        _hashes = HashCache.Open(context.Absolute(Path.Combine(context.Layout.ExperimentDir, ".hash-cache.json")));
    }

    public ExperimentContext Context { get; }

    public IReadOnlyList<Stage> Stages { get; }

    public StageGraph Graph { get; }

    /// <summary>Loads and validates the spec (throws <see cref="SpecException"/> with file:line:column errors, among them,
    /// unless only the graph is wanted, the files it names, the sizes its data cannot supply and each paper dataset's
    /// folder: <see cref="SpecFileCheck"/>, <see cref="SpecDataCheck"/>) and checks that the device can run its stages.
    /// A refusal throws <see cref="InvalidOperationException"/> before anything is written.</summary>
    /// <param name="repositoryRoot">Folder the spec's paths are relative to; by default the one holding
    /// <c>Atlas.Repro.sln</c> above the spec, else the working directory.</param>
    /// <param name="level"><see cref="SpecCheckLevel.GraphOnly"/> for planning: unset <c>${NAME}</c> variables stay
    /// literal (one warning line on <paramref name="log"/>), and named files and dataset folders are not looked at.</param>
    public static ExperimentSession Open(string specPath, TextWriter log, string? repositoryRoot = null, SpecCheckLevel level = SpecCheckLevel.Complete)
    {
        NativeAllocator.Configure();
        var root = repositoryRoot ?? RepositoryRoot(Path.GetDirectoryName(Path.GetFullPath(specPath))!);
        var spec = SpecLoader.Load(specPath, Known with { Files = new SpecFileCheck(root), Data = new SpecDataCheck(root), Level = level, Warn = log.WriteLine });
        var session = new ExperimentSession(new ExperimentContext(root, specPath, spec, log));
        var refusal = DeviceRefusal(session.Context, session.Stages);
        if (refusal is not null)
        {
            session.Dispose();
            throw new InvalidOperationException(refusal);
        }
        return session;
    }

    /// <summary>Why a spec asking for a GPU cannot run <paramref name="stages"/> (those that do not
    /// <see cref="Stage.RunsOnDevice"/>, named), or null when it can: always on the CPU.</summary>
    public static string? DeviceRefusal(ExperimentContext context, IEnumerable<Stage> stages)
    {
        if (context.Spec.Device == ComputeDevice.Cpu) return null;
        var cpuOnly = stages.Where(s => !s.RunsOnDevice).Select(s => s.Id).ToList();
        return cpuOnly.Count == 0 ? null
            : $"{context.SpecPath}: device {SpecNames.Of(context.Spec.Device)}: these stages run on the CPU only so far: {StageGraph.Abbreviate(cpuOnly)}; "
              + "remove their sections or set device: cpu";
    }

    /// <summary>Every stage's status, a stage being stale also when something upstream will run.</summary>
    /// <remarks>Planning only reads: a backup a killed run left (<see cref="StageOutputBackup"/>) is recovered by the next
    /// <see cref="Run"/> of that stage, which holds the experiment; a plan made while another process runs the stage
    /// must not move its files. Such a stage shows as stale (its outputs are aside) until then.</remarks>
    public IReadOnlyDictionary<string, Freshness> Plan() => Graph.EffectiveFreshness(node => OwnFreshness(_stages[node.Id]));

    /// <summary>The stage <paramref name="stageId"/>.</summary>
    /// <exception cref="ArgumentException">No such stage (the message lists them).</exception>
    public Stage StageNamed(string stageId) => _stages.GetValueOrDefault(stageId)
        ?? throw new ArgumentException($"unknown stage '{stageId}' in {Context.SpecPath}; stages: {string.Join(", ", _stages.Keys)}");

    /// <summary>Runs one stage unless it is up to date; writes its lock record. Returns false when it was skipped.</summary>
    public bool Run(string stageId, bool force)
    {
        var stage = StageNamed(stageId);
        RequireInputs(stage);
        StageOutputBackup.Recover(Context, stage);
        var freshness = OwnFreshness(stage);
        if (freshness.IsUpToDate && !force)
        {
            Context.Log.WriteLine(UpToDateLine(stageId));
            return false;
        }
        Context.Log.WriteLine($"[{stageId}] running: {(force ? "forced" : freshness.ToString())}");
        VerifyProducedInputs(stage);

        set_num_threads(Context.Spec.Threads);
        var parameters = LockParameters(stage);
        var inputs = InputHashes(stage);
        long seed = StageIds.Seed(Context.Spec.Seed, stage.Id);
        var key = ContentHash.OfJson(new JsonObject { ["parameters"] = parameters.DeepClone(), ["inputs"] = JsonSerializer.SerializeToNode(inputs) });
        var started = DateTimeOffset.UtcNow;
        var status = LockStatus.Failed;
        var backup = StageOutputBackup.Begin(Context, stage);
        try
        {
            using (NewDisposeScope()) stage.Execute(Context, new StageRun(seed, key));
            status = LockStatus.Succeeded;
        }
        finally
        {
            var outputs = status == LockStatus.Succeeded ? OutputRecords(stage) : new Dictionary<string, OutputRecord>();
            var record = new LockRecord
            {
                Stage = stage.Id,
                Command = $"atlas run --spec {Context.SpecPath} --stage {stage.Id}",
                Parameters = parameters,
                ParamsHash = ContentHash.OfJson(parameters),
                Inputs = inputs,
                Outputs = outputs,
                Seed = seed,
                Threads = get_num_threads(),
                Code = CodeVersion.Detect(Context.RepositoryRoot),
                CodeFingerprint = CodeFingerprintOf(stage),
                Packages = PackageVersions.Current,
                Machine = MachineInfo.Current(),
                StartedUtc = started,
                EndedUtc = DateTimeOffset.UtcNow,
                Status = status,
            };
            // A failed run puts the previous outputs back; their lock, if any, stays true and keeps its place.
            if (status == LockStatus.Failed && backup.RestoreAfterFailure()) backup.WriteFailure(record);
            else LockStore.Write(Context.Absolute(Context.Layout.StageDir(stage.Id)), record);
            _hashes.Save();
        }
        backup.Discard();
        Context.Log.WriteLine($"[{stageId}] done in {(DateTimeOffset.UtcNow - started).TotalSeconds:F1} s");
        return true;
    }

    /// <summary>The line <see cref="Run"/> prints for a stage it skips (an executor reads it from the stage's process).</summary>
    public static string UpToDateLine(string stageId) => $"[{stageId}] up to date";

    /// <summary>Deletes the experiment's artifacts folder.</summary>
    public void Clean()
    {
        var folder = Context.Absolute(Context.Layout.ExperimentDir);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Context.Log.WriteLine($"removed {Context.Layout.ExperimentDir}");
    }

    public void Dispose() => Context.Dispose();

    private Freshness OwnFreshness(Stage stage)
    {
        var stored = LockStore.Read(Context.Absolute(Context.Layout.StageDir(stage.Id)));
        if (stored is { Record: null, Problem: null }) return Freshness.Stale("never ran");
        Dictionary<string, string> inputs;
        try
        {
            inputs = InputHashes(stage);
        }
        catch (DirectoryNotFoundException e)
        {
            // A plan without the data (its root left as an unset ${NAME}, or not there yet) still shows the graph; a
            // run stops earlier, in RequireInputs, with the same exception.
            return Freshness.Stale($"inputs cannot be listed: {e.Message}");
        }
        var missing = inputs.Where(i => i.Value == MissingInput).Select(i => i.Key).ToList();
        var freshness = UpToDateCheck.Evaluate(stored, LockParameters(stage), inputs, path => _hashes.TryHash(Context.Absolute(path)), CodeFingerprintOf(stage));
        return missing.Count == 0 ? freshness : Freshness.Stale($"inputs missing: {StageGraph.Abbreviate(missing)}");
    }

    private const string MissingInput = "missing";

    /// <summary>The <see cref="CodeFingerprint"/> of the code <paramref name="stage"/> runs: its <c>Execute</c> and
    /// everything in the project it reaches.</summary>
    public static string CodeFingerprintOf(Stage stage) =>
        CodeFingerprint.Project.Of(stage.GetType().GetMethod(nameof(Stage.Execute), [typeof(ExperimentContext), typeof(StageRun)])
            ?? throw new InvalidOperationException($"{stage.GetType()} has no Execute(ExperimentContext, StageRun)"));

    /// <summary>The parameter object a run of <paramref name="stageId"/> records in its lock (and hashes as
    /// <c>params_hash</c>): what decides its outputs besides its input files.</summary>
    public JsonNode LockParameters(string stageId) =>
        LockParameters(_stages.GetValueOrDefault(stageId) ?? throw new ArgumentException($"unknown stage '{stageId}' in {Context.SpecPath}"));

    /// <summary>The lock's parameter object of <paramref name="stage"/>: the stage's own values plus what every stage
    /// depends on.</summary>
    public JsonNode LockParameters(Stage stage) => LockParameters(Context, stage);

    /// <inheritdoc cref="LockParameters(Stage)"/>
    public static JsonNode LockParameters(ExperimentContext context, Stage stage)
    {
        var parameters = JsonSerializer.SerializeToNode(new
        {
            Stage = stage.Parameters(context),
            context.Spec.Backbone,
            context.Spec.Threads,
            Seed = StageIds.Seed(context.Spec.Seed, stage.Id),
        }, LockParameterJson.Options)!;
        // The backbone's resolved configuration joins the parameters, so editing its size reruns the stages and
        // reformatting its file does not. That holds for the built-in ones too: their files are embedded resources,
        // which the code fingerprint (an IL walk) does not see, so a name alone let a 4-layer mini's pretraining pass as
        // up to date after ModelConfigs/mini.json went to 3 layers.
        parameters[BackboneConfigParameter] = JsonSerializer.SerializeToNode(context.Config, LockParameterJson.Options);
        // A GPU result is not bit-identical to a CPU one, so the device decides results like the thread count does; it
        // is recorded only when it is not the CPU, which keeps the locks recorded before the field existed up to date.
        if (context.Spec.Device != ComputeDevice.Cpu)
            parameters["device"] = JsonSerializer.SerializeToNode(context.Spec.Device, LockParameterJson.Options);
        return parameters;
    }

    /// <summary>The lock parameter holding the backbone's resolved configuration.</summary>
    public const string BackboneConfigParameter = "backbone_config";

    private Dictionary<string, string> InputHashes(Stage stage) =>
        stage.Inputs(Context).Distinct().ToDictionary(p => p, p => _hashes.TryHash(Context.Absolute(p)) ?? MissingInput);

    private Dictionary<string, OutputRecord> OutputRecords(Stage stage) =>
        stage.Outputs(Context).ToDictionary(p => p, p =>
        {
            var file = new FileInfo(Context.Absolute(p));
            if (!file.Exists) throw new InvalidOperationException($"stage {stage.Id} did not write its output {p}");
            return new OutputRecord(_hashes.HashFile(file.FullName), file.Length);
        });

    /// <summary>
    /// Every input another stage produced, hashed byte for byte and compared with what that stage's lock recorded, before
    /// the stage reads it: the hash cache trusts size and modification time, so a corrupted checkpoint or task vector
    /// that kept both would otherwise be used silently.
    /// </summary>
    /// <exception cref="InvalidDataException">A produced input's bytes differ from its producer's record.</exception>
    private void VerifyProducedInputs(Stage stage)
    {
        var recorded = new Dictionary<string, (string Producer, OutputRecord Output)>(StringComparer.Ordinal);
        foreach (var producer in Graph[stage.Id].DependsOn)
            if (LockStore.Read(Context.Absolute(Context.Layout.StageDir(producer))).Record is { Status: LockStatus.Succeeded } record)
                foreach (var (path, output) in record.Outputs) recorded[path] = (producer, output);
        foreach (var path in stage.Inputs(Context).Distinct())
        {
            if (!recorded.TryGetValue(path, out var expected)) continue;
            var file = new FileInfo(Context.Absolute(path));
            string actual = ContentHash.OfFile(file.FullName);
            if (actual != expected.Output.Sha256 || file.Length != expected.Output.Size)
                throw new InvalidDataException(
                    $"{path}: content differs from what {expected.Producer} recorded (sha256 {expected.Output.Sha256[..12]}…, {expected.Output.Size} bytes; "
                    + $"now {actual[..12]}…, {file.Length} bytes): truncated or corrupted; rerun {expected.Producer} with --force or restore the file");
        }
    }

    private void RequireInputs(Stage stage)
    {
        var missing = stage.Inputs(Context).Where(p => !File.Exists(Context.Absolute(p))).ToList();
        if (missing.Count == 0) return;
        var producers = missing.Select(p => Stages.FirstOrDefault(s => s.Outputs(Context).Contains(p))?.Id ?? "(no stage: a source file)").Distinct();
        throw new InvalidOperationException(
            $"stage {stage.Id} cannot run: missing input(s) {string.Join(", ", missing)}; run {string.Join(", ", producers)} first");
    }

    /// <summary>The folder holding <c>Atlas.Repro.sln</c> above the spec, else the working directory: spec paths are relative to it.</summary>
    private static string RepositoryRoot(string start)
    {
        for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Atlas.Repro.sln"))) return folder.FullName;
        return Directory.GetCurrentDirectory();
    }
}

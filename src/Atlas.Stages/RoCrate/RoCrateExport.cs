using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Atlas.Pipeline.Provenance;
using Atlas.Stages.Audit;
using Atlas.Store;

namespace Atlas.Stages.RoCrate;

/// <summary>
/// Writes a finished experiment's provenance as an RO-Crate 1.1 (<c>ro-crate-metadata.json</c> in the experiment
/// folder) following the Workflow Run Crate profiles 0.5 at the Provenance Run Crate level, from the lock records alone
/// (so it works on a copy of the artifacts folder without the data): the resolved spec is the workflow, each stage a
/// tool run (<c>CreateAction</c>) with its step (<c>HowToStep</c>, <c>ControlAction</c>), the whole run one
/// <c>CreateAction</c> of the workflow and one <c>OrganizeAction</c> of the engine. Rules and sources:
/// docs/notes/ro-crate.md. The output is deterministic: no clock is read (the crate's date is the last stage's end).
/// </summary>
public static class RoCrateExport
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Builds the crate of <paramref name="folder"/> and writes it atomically into the folder.</summary>
    /// <param name="folder">The experiment folder (the repository's or a copy).</param>
    /// <param name="experimentName">The spec's experiment name (names the crate).</param>
    /// <param name="license">The licence of the artifacts, a URI (e.g. <c>https://spdx.org/licenses/CC-BY-4.0</c>) or a
    /// text; none is assumed when null (RO-Crate 1.1 SHOULD, Workflow RO-Crate 1.0 MUST: the crate then says so).</param>
    public static RoCrateSummary Write(ArtifactFolder folder, string experimentName, string? license = null)
    {
        var crate = Build(folder, experimentName, license);
        string path = Path.Combine(folder.Location, RoCrateTerms.MetadataFileName);
        AtomicFile.WriteAllText(path, crate.ToJsonString(Indented) + "\n");
        return Summarise(path, crate);
    }

    /// <summary>The crate's JSON-LD document (not written).</summary>
    public static JsonObject Build(ArtifactFolder folder, string experimentName, string? license = null) =>
        new Builder(folder, experimentName, license).Build();

    /// <summary>Entity counts of a crate document.</summary>
    public static RoCrateSummary Summarise(string path, JsonObject crate)
    {
        var graph = crate["@graph"]!.AsArray();
        var byType = graph
            .SelectMany(e => e!["@type"] is JsonArray types ? types.Select(t => t!.GetValue<string>()) : [e!["@type"]!.GetValue<string>()])
            .GroupBy(t => t, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => KeyValuePair.Create(g.Key, g.Count()))
            .ToList();
        return new RoCrateSummary(path, graph.Count, byType);
    }

    /// <summary>The crate id of a file inside the experiment folder: its path below it, each segment percent-escaped
    /// (RO-Crate 1.1 appendix: relative URI paths with <c>/</c>, special characters escaped).</summary>
    public static string FileId(string pathBelowFolder) =>
        string.Join('/', pathBelowFolder.Replace('\\', '/').Split('/').Select(Uri.EscapeDataString));

    /// <summary>The crate id of a recorded file outside the experiment folder (data, imported weights): a local
    /// identifier holding its repository-relative path, since RO-Crate ids SHOULD NOT climb out with <c>../</c>.</summary>
    public static string ExternalId(string recordedPath) => "#input:" + FileId(recordedPath);

    /// <summary>Stage kind: the first segment of the stage id (<c>finetune/mnist</c> → <c>finetune</c>).</summary>
    public static string StageKind(string stageId) => stageId.Split('/')[0];

    private sealed class Builder(ArtifactFolder folder, string experimentName, string? license)
    {
        private const string WorkflowLanguageId = "#atlas-repro-spec";
        private const string EngineId = "#atlas-repro-cli";
        private const string WorkflowRunId = "#run";
        private const string EngineRunId = "#engine-run";

        private readonly CrateGraph graph = new();
        private readonly List<string> hasPart = [];
        private List<(string Stage, LockRecord Lock)> locks = [];

        public JsonObject Build()
        {
            locks = ReadLocks();
            string workflowId = ResolvedSpecId();

            var descriptor = graph.Add(RoCrateTerms.MetadataFileName, "CreativeWork");
            descriptor["conformsTo"] = CrateGraph.Refs([RoCrateTerms.CrateSpecification, RoCrateTerms.WorkflowRoCrate]);
            descriptor["about"] = CrateGraph.Ref(RoCrateTerms.RootId);

            var root = graph.Add(RoCrateTerms.RootId, "Dataset");
            foreach (var (id, name, version) in RoCrateTerms.Profiles)
            {
                var profile = graph.Add(id, "CreativeWork");
                profile["name"] = name;
                profile["version"] = version;
            }

            var order = ExecutionOrder();
            var tools = AddTools();
            AddWorkflow(workflowId, tools, order);
            var stageRuns = order.Select((entry, index) => AddStageRun(entry.Stage, entry.Lock, tools[entry.Stage], index + 1)).ToList();
            AddWorkflowRun(workflowId, stageRuns);
            AddEngineRun(stageRuns);

            root["name"] = $"Atlas.Repro experiment {experimentName}";
            root["description"] =
                $"Provenance of the Atlas.Repro experiment '{experimentName}' (reproducing aTLAS, NeurIPS 2024): the resolved spec " +
                $"as the workflow and each of its {locks.Count} stages as a recorded run with inputs, outputs, parameters, code " +
                "commit and package versions, exported from the stages' lock records.";
            root["datePublished"] = Iso(locks.Count == 0 ? DateTimeOffset.UnixEpoch : locks.Max(l => l.Lock.EndedUtc));
            // The repository declares no licence, so none is claimed unless the caller names one.
            if (license is not null)
                root["license"] = Uri.TryCreate(license, UriKind.Absolute, out _) ? CrateGraph.Ref(license) : license;
            root["conformsTo"] = CrateGraph.Refs(RoCrateTerms.Profiles.Select(p => p.Id));
            root["mainEntity"] = CrateGraph.Ref(workflowId);
            root["hasPart"] = CrateGraph.Refs(hasPart.Distinct().Order(StringComparer.Ordinal));
            root["mentions"] = CrateGraph.Refs([WorkflowRunId, EngineRunId, .. stageRuns.Select(r => r.CreateAction)]);

            return new JsonObject
            {
                ["@context"] = new JsonArray(RoCrateTerms.CrateContext, RoCrateTerms.WorkflowRunContext),
                ["@graph"] = new JsonArray([.. graph.Entities.Select(e => (JsonNode)e)]),
            };
        }

        private List<(string Stage, LockRecord Lock)> ReadLocks() =>
        [
            .. folder.StagesWithLocks().Select(stage =>
            {
                var stored = folder.ReadLock(stage);
                return (stage, stored.Record ?? throw new InvalidDataException(
                    $"{LockStore.PathIn(folder.StageDir(stage))}: {stored.Problem ?? "no lock record"}; the crate is written from complete lock records only"));
            }),
        ];

        private string ResolvedSpecId()
        {
            string recorded = new ArtifactLayout(experimentName).ResolvedSpec.Replace('\\', '/');
            string path = folder.Resolve(recorded);
            if (!File.Exists(path))
                throw new FileNotFoundException($"{path}: no resolved spec (the report stage writes it); the crate's workflow is that file", path);
            return FileId(Below(recorded));
        }

        /// <summary>Stages ordered so that each comes after every stage whose output it read (ties in ordinal order):
        /// the HowToStep positions the Provenance Run Crate asks for.</summary>
        private List<(string Stage, LockRecord Lock)> ExecutionOrder()
        {
            var producer = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (stage, record) in locks)
                foreach (var output in record.Outputs.Keys) producer[Normalise(output)] = stage;
            var needs = locks.ToDictionary(
                l => l.Stage,
                l => l.Lock.Inputs.Keys.Select(i => producer.GetValueOrDefault(Normalise(i))).OfType<string>().Where(p => p != l.Stage).ToHashSet(StringComparer.Ordinal));
            var placed = new List<(string, LockRecord)>();
            var done = new HashSet<string>(StringComparer.Ordinal);
            while (placed.Count < locks.Count)
            {
                var ready = locks.Where(l => !done.Contains(l.Stage) && needs[l.Stage].All(done.Contains)).ToList();
                // A cycle cannot come from a run; should a tampered lock make one, the rest keep ordinal order.
                if (ready.Count == 0) ready = locks.Where(l => !done.Contains(l.Stage)).Take(1).ToList();
                foreach (var entry in ready)
                {
                    placed.Add(entry);
                    done.Add(entry.Stage);
                }
            }
            return placed;
        }

        /// <summary>One SoftwareApplication per stage kind and code/package combination, its formal parameters, the
        /// code commit and the packages it required; returns stage → tool id.</summary>
        private Dictionary<string, string> AddTools()
        {
            var variants = locks
                .GroupBy(l => StageKind(l.Stage), StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .SelectMany(kind =>
                {
                    var byCode = kind.GroupBy(l => CodeKey(l.Lock), StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
                    return byCode.Select((g, i) => (Id: byCode.Count == 1 ? $"#tool/{kind.Key}" : $"#tool/{kind.Key}/{i + 1}", Kind: kind.Key, Stages: g.ToList()));
                })
                .ToList();
            var toolOf = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (id, kind, stages) in variants)
            {
                var sample = stages[0].Lock;
                var tool = graph.Add(id, "SoftwareApplication");
                tool["name"] = $"Atlas.Repro {kind} stage";
                tool["description"] = $"The {kind} stage of Atlas.Repro (stages {string.Join(", ", stages.Select(s => s.Stage))}).";
                tool["softwareVersion"] = CodeVersionText(sample.Code);
                tool["softwareRequirements"] = CrateGraph.Refs([CodeEntity(sample.Code), .. sample.Packages.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => PackageEntity(p.Key, p.Value))]);
                var parameters = stages
                    .SelectMany(s => Flatten(s.Lock.Parameters))
                    .GroupBy(p => p.Name, StringComparer.Ordinal)
                    .OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g =>
                    {
                        var formal = graph.Add($"{id}/param/{g.Key}", "FormalParameter");
                        formal["name"] = g.Key;
                        formal["additionalType"] = DataType(g.First().Value);
                        return formal["@id"]!.GetValue<string>();
                    })
                    .ToList();
                if (parameters.Count > 0) tool["input"] = CrateGraph.Refs(parameters);
                foreach (var (stage, _) in stages) toolOf[stage] = id;
            }
            return toolOf;
        }

        private void AddWorkflow(string workflowId, Dictionary<string, string> tools, List<(string Stage, LockRecord Lock)> order)
        {
            var workflow = graph.Add(workflowId, "File", "SoftwareSourceCode", "ComputationalWorkflow", "HowTo");
            workflow["name"] = $"{experimentName} (resolved Atlas.Repro spec)";
            workflow["description"] = "The experiment spec with every default made explicit: the stage graph it defines is the workflow.";
            workflow["programmingLanguage"] = CrateGraph.Ref(WorkflowLanguageId);
            workflow["encodingFormat"] = "application/yaml";
            DescribeFile(workflow, Path.Combine(folder.Location, Uri.UnescapeDataString(workflowId)), recorded: null);
            workflow["hasPart"] = CrateGraph.Refs(tools.Values.Distinct().Order(StringComparer.Ordinal));
            workflow["step"] = CrateGraph.Refs(order.Select(o => StepId(o.Stage)));
            hasPart.Add(workflowId);

            var language = graph.Add(WorkflowLanguageId, "ComputerLanguage");
            language["name"] = "Atlas.Repro experiment spec";
            language["alternateName"] = "Atlas.Repro YAML spec run by Cake (build/build.cake) and the atlas CLI";
        }

        private sealed record StageRun(string CreateAction, string ControlAction, LockRecord Lock);

        private StageRun AddStageRun(string stage, LockRecord record, string toolId, int position)
        {
            string runId = $"#run/{stage}", stepId = StepId(stage), controlId = $"#control/{stage}";
            var step = graph.Add(stepId, "HowToStep");
            step["name"] = stage;
            step["position"] = position;
            step["workExample"] = CrateGraph.Ref(toolId);

            var action = graph.Add(runId, "CreateAction");
            action["name"] = $"Run of stage {stage}";
            action["description"] =
                $"{record.Command} (seed {record.Seed}, {record.Threads} threads, on {record.Machine.HostName}: {record.Machine.Os}, " +
                $"{record.Machine.Architecture}, {record.Machine.ProcessorCount} processors, {record.Machine.DotNet})";
            action["instrument"] = CrateGraph.Ref(toolId);
            action["startTime"] = Iso(record.StartedUtc);
            action["endTime"] = Iso(record.EndedUtc);
            action["actionStatus"] = CrateGraph.Ref(Status(record.Status));
            if (record.Status == LockStatus.Failed) action["error"] = "The stage threw; its outputs, if any, are not to be trusted (see its log).";

            var objects = record.Inputs.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => InputEntity(i.Key, i.Value)).ToList();
            foreach (var (name, value) in Flatten(record.Parameters))
            {
                var parameter = graph.Add($"{runId}/param/{name}", "PropertyValue");
                parameter["name"] = name;
                parameter["value"] = value.DeepClone();
                parameter["exampleOfWork"] = CrateGraph.Ref($"{toolId}/param/{name}");
                objects.Add(parameter["@id"]!.GetValue<string>());
            }
            if (objects.Count > 0) action["object"] = CrateGraph.Refs(objects);
            var results = record.Outputs.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => OutputEntity(o.Key, o.Value)).ToList();
            if (results.Count > 0) action["result"] = CrateGraph.Refs(results);

            // The lock record itself is the engine's trace of this action (Workflow Run Crate: such files are added
            // and point at their action via about).
            string lockPath = LockStore.PathIn(folder.StageDir(stage));
            string lockId = FileId(Path.GetRelativePath(folder.Location, lockPath));
            // A reader of lock records (the report) may have named this one already, with the hash it read.
            var lockFile = graph.Contains(lockId) ? graph[lockId] : graph.Add(lockId, "File");
            lockFile["name"] = $"Lock record of stage {stage}";
            lockFile["encodingFormat"] = "application/json";
            lockFile["about"] = CrateGraph.Ref(runId);
            DescribeFile(lockFile, lockPath, recorded: null);
            hasPart.Add(lockId);

            var control = graph.Add(controlId, "ControlAction");
            control["name"] = $"Step {stage}";
            control["instrument"] = CrateGraph.Ref(stepId);
            control["object"] = CrateGraph.Ref(runId);
            control["actionStatus"] = CrateGraph.Ref(Status(record.Status));
            return new StageRun(runId, controlId, record);
        }

        /// <summary>The workflow's own run: what came from outside the experiment folder in, what no stage read afterwards out.</summary>
        private void AddWorkflowRun(string workflowId, List<StageRun> runs)
        {
            var produced = locks.SelectMany(l => l.Lock.Outputs.Keys).Select(Normalise).ToHashSet(StringComparer.Ordinal);
            var consumed = locks.SelectMany(l => l.Lock.Inputs.Keys).Select(Normalise).ToHashSet(StringComparer.Ordinal);
            var run = graph.Add(WorkflowRunId, "CreateAction");
            run["name"] = $"Run of experiment {experimentName}";
            run["instrument"] = CrateGraph.Ref(workflowId);
            if (locks.Count > 0)
            {
                run["startTime"] = Iso(locks.Min(l => l.Lock.StartedUtc));
                run["endTime"] = Iso(locks.Max(l => l.Lock.EndedUtc));
            }
            // Lock records the report reads are in the folder but produced by no stage: only what came from outside
            // the experiment folder (data, imported weights) is the workflow's input.
            var sources = locks.SelectMany(l => l.Lock.Inputs)
                .Where(i => !produced.Contains(Normalise(i.Key)) && !folder.Contains(i.Key))
                .Select(i => InputEntity(i.Key, i.Value)).Distinct().Order(StringComparer.Ordinal).ToList();
            if (sources.Count > 0) run["object"] = CrateGraph.Refs(sources);
            var finals = locks.SelectMany(l => l.Lock.Outputs)
                .Where(o => !consumed.Contains(Normalise(o.Key)))
                .Select(o => OutputEntity(o.Key, o.Value)).Distinct().Order(StringComparer.Ordinal).ToList();
            if (finals.Count > 0) run["result"] = CrateGraph.Refs(finals);
            run["actionStatus"] = CrateGraph.Ref(Status(runs.All(r => r.Lock.Status == LockStatus.Succeeded) ? LockStatus.Succeeded : LockStatus.Failed));
        }

        private void AddEngineRun(List<StageRun> runs)
        {
            var engine = graph.Add(EngineId, "SoftwareApplication");
            engine["name"] = "Atlas.Repro (Cake build and atlas CLI)";
            engine["description"] = "Runs the spec's stage graph one stage per `atlas run` process, skipping stages whose lock records are up to date.";
            var commits = locks.Select(l => CodeVersionText(l.Lock.Code)).Distinct().Order(StringComparer.Ordinal).ToList();
            engine["softwareVersion"] = string.Join(", ", commits.DefaultIfEmpty("unknown"));

            var organize = graph.Add(EngineRunId, "OrganizeAction");
            organize["name"] = $"Atlas.Repro run of experiment {experimentName}";
            organize["instrument"] = CrateGraph.Ref(EngineId);
            organize["result"] = CrateGraph.Ref(WorkflowRunId);
            if (runs.Count > 0) organize["object"] = CrateGraph.Refs(runs.Select(r => r.ControlAction));
            if (locks.Count > 0)
            {
                organize["startTime"] = Iso(locks.Min(l => l.Lock.StartedUtc));
                organize["endTime"] = Iso(locks.Max(l => l.Lock.EndedUtc));
            }
            organize["actionStatus"] = CrateGraph.Ref(Status(runs.All(r => r.Lock.Status == LockStatus.Succeeded) ? LockStatus.Succeeded : LockStatus.Failed));
        }

        /// <summary>The entity of a file a stage read: the crate's own file when it lies in the folder, else a local
        /// contextual entity holding the recorded path and hash.</summary>
        private string InputEntity(string recordedPath, string sha256)
        {
            if (folder.Contains(recordedPath)) return FolderFile(recordedPath, sha256, size: null);
            string id = ExternalId(Normalise(recordedPath));
            if (graph.Contains(id)) return id;
            var entity = graph.Add(id, "CreativeWork");
            entity["name"] = Normalise(recordedPath);
            entity["description"] = "Read from outside the experiment folder (data or imported weights): repository-relative path and recorded SHA-256; not part of the crate.";
            entity["sha256"] = sha256;
            return id;
        }

        private string OutputEntity(string recordedPath, OutputRecord output) =>
            folder.Contains(recordedPath) ? FolderFile(recordedPath, output.Sha256, output.Size) : InputEntity(recordedPath, output.Sha256);

        /// <summary>A file of the experiment folder, as a <c>File</c> data entity carrying the recorded hash and size
        /// (a recorded file the copy lacks stays a data entity: the validator reports it as absent).</summary>
        private string FolderFile(string recordedPath, string sha256, long? size)
        {
            string id = FileId(Below(Normalise(recordedPath)));
            if (graph.Contains(id))
            {
                // The producer's record wins over a reader's; both are the same bytes unless the chain is broken,
                // which atlas audit reports.
                if (size is { } known) graph[id]["contentSize"] = known.ToString(CultureInfo.InvariantCulture);
                if (size is not null) graph[id]["sha256"] = sha256;
                return id;
            }
            var file = graph.Add(id, "File");
            file["name"] = Below(Normalise(recordedPath));
            if (EncodingFormat(recordedPath) is { } format) file["encodingFormat"] = format;
            string path = folder.Resolve(recordedPath);
            file["contentSize"] = (size ?? (File.Exists(path) ? new FileInfo(path).Length : 0)).ToString(CultureInfo.InvariantCulture);
            file["sha256"] = sha256;
            hasPart.Add(id);
            return id;
        }

        /// <summary>Size and hash of a file the locks do not record (the lock records, the resolved spec), measured now.</summary>
        private static void DescribeFile(JsonObject entity, string path, OutputRecord? recorded)
        {
            entity["contentSize"] = (recorded?.Size ?? new FileInfo(path).Length).ToString(CultureInfo.InvariantCulture);
            entity["sha256"] = recorded?.Sha256 ?? ContentHash.OfFile(path);
        }

        private string CodeEntity(CodeVersion code)
        {
            string id = $"#code/{code.Commit ?? "unknown"}{(code.Dirty == true ? "-dirty" : "")}";
            if (graph.Contains(id)) return id;
            var entity = graph.Add(id, "SoftwareApplication", "SoftwareSourceCode");
            entity["name"] = "Atlas.Repro source code";
            entity["softwareVersion"] = CodeVersionText(code);
            entity["description"] = code.Commit is null
                ? "The commit was not recorded (no git checkout)."
                : $"Git commit {code.Commit}{(code.Dirty switch { true => ", with uncommitted changes", false => ", clean", null => "" })}.";
            return id;
        }

        private string PackageEntity(string name, string version)
        {
            string id = $"#package/{Uri.EscapeDataString(name)}@{Uri.EscapeDataString(version)}";
            if (graph.Contains(id)) return id;
            var entity = graph.Add(id, "SoftwareApplication");
            entity["name"] = name;
            entity["softwareVersion"] = version;
            return id;
        }

        private string Below(string recordedPath) => recordedPath[(folder.ExperimentDir.Length + 1)..];

        private static string StepId(string stage) => $"#step/{stage}";

        private static string Status(LockStatus status) =>
            status == LockStatus.Succeeded ? RoCrateTerms.CompletedActionStatus : RoCrateTerms.FailedActionStatus;

        private static string CodeKey(LockRecord record) =>
            CodeVersionText(record.Code) + "|" + string.Join(";", record.Packages.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

        private static string CodeVersionText(CodeVersion code) => (code.Commit ?? "unknown") + (code.Dirty == true ? "-dirty" : "");

        private static string Normalise(string path) => path.Replace('\\', '/');
    }

    /// <summary>ISO 8601 with offset, to the second's fraction the lock holds (schema.org DateTime).</summary>
    private static string Iso(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>The lock's parameters as dotted names and JSON scalar values (<c>stage.lr</c>); an array becomes its
    /// compact JSON text, so every value stays one PropertyValue.</summary>
    internal static IEnumerable<(string Name, JsonValue Value)> Flatten(JsonNode? node, string prefix = "")
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                    foreach (var item in Flatten(child, prefix.Length == 0 ? key : $"{prefix}.{key}")) yield return item;
                break;
            case JsonArray array:
                yield return (prefix, JsonValue.Create(array.ToJsonString())!);
                break;
            case JsonValue value:
                yield return (prefix, value);
                break;
            case null:
                yield return (prefix, JsonValue.Create("null")!);
                break;
        }
    }

    /// <summary>The schema.org DataType a FormalParameter's values have (Workflow Run Crate: additionalType).</summary>
    private static string DataType(JsonValue value) => value.GetValueKind() switch
    {
        JsonValueKind.True or JsonValueKind.False => "Boolean",
        JsonValueKind.Number => value.ToJsonString().IndexOfAny(['.', 'e', 'E']) >= 0 ? "Float" : "Integer",
        _ => "Text",
    };

    private static string? EncodingFormat(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".json" => "application/json",
        ".csv" => "text/csv",
        ".md" => "text/markdown",
        ".yaml" or ".yml" => "application/yaml",
        ".png" => "image/png",
        ".svg" => "image/svg+xml",
        ".txt" => "text/plain",
        ".safetensors" => "application/octet-stream",
        _ => null,
    };
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Atlas.Stages.Tests.RoCrate;

/// <summary>How binding a rule is (RFC 2119 as the specifications use it).</summary>
public enum RuleLevel
{
    /// <summary>MUST / MUST NOT / REQUIRED.</summary>
    Must,

    /// <summary>SHOULD / SHOULD NOT / RECOMMENDED.</summary>
    Should,
}

/// <summary>One broken rule: its id in docs/notes/ro-crate.md, its level, the entity and what is wrong.</summary>
public sealed record CrateFinding(string Rule, RuleLevel Level, string Entity, string Message)
{
    public override string ToString() => $"{Rule} ({Level}) {Entity}: {Message}";
}

/// <summary>
/// An independent check of an RO-Crate folder against the rules listed in docs/notes/ro-crate.md (RO-Crate 1.1,
/// Workflow RO-Crate 1.0, Process/Workflow/Provenance Run Crate 0.5), written from the specifications rather than
/// from the writer: it reads only the folder and the two committed JSON-LD contexts (Fixtures/ro-crate). Test-side
/// only; each rule id names its source in the notes.
/// </summary>
public static class RoCrateValidator
{
    private const string MetadataFile = "ro-crate-metadata.json";
    private const string CrateContext = "https://w3id.org/ro/crate/1.1/context";
    private const string CrateSpec = "https://w3id.org/ro/crate/1.1";
    private const string ProcessRun = "https://w3id.org/ro/wfrun/process/0.5";
    private const string WorkflowRun = "https://w3id.org/ro/wfrun/workflow/0.5";
    private const string ProvenanceRun = "https://w3id.org/ro/wfrun/provenance/0.5";
    private const string WorkflowRoCrate = "https://w3id.org/workflowhub/workflow-ro-crate/1.0";
    private const string Completed = "http://schema.org/CompletedActionStatus";
    private const string Failed = "http://schema.org/FailedActionStatus";

    private static readonly Lazy<HashSet<string>> KnownTerms = new(LoadTerms);

    /// <summary>Every broken rule of the crate in <paramref name="folder"/>; empty when it conforms.</summary>
    public static IReadOnlyList<CrateFinding> Validate(string folder)
    {
        var findings = new List<CrateFinding>();
        void Fail(string rule, RuleLevel level, string entity, string message) => findings.Add(new CrateFinding(rule, level, entity, message));

        // RC-1: the metadata file, named so, at the crate root, a JSON object.
        string path = Path.Combine(folder, MetadataFile);
        if (!File.Exists(path))
        {
            Fail("RC-1", RuleLevel.Must, MetadataFile, "no RO-Crate metadata file in the crate root");
            return findings;
        }
        JsonObject document;
        try
        {
            document = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException e)
        {
            Fail("RC-1", RuleLevel.Must, MetadataFile, $"not a JSON object: {e.Message}");
            return findings;
        }

        // RC-2: the context is (or starts with) the RO-Crate 1.1 context.
        var context = document["@context"];
        string? firstContext = context switch
        {
            JsonArray array when array.Count > 0 && array[0] is JsonValue v => v.GetValue<string>(),
            JsonValue v => v.GetValue<string>(),
            _ => null,
        };
        if (firstContext != CrateContext) Fail("RC-2", RuleLevel.Must, "@context", $"is not {CrateContext} (found {context?.ToJsonString() ?? "nothing"})");
        var localTerms = (context as JsonArray)?.OfType<JsonObject>().SelectMany(o => o.Select(p => p.Key)).ToHashSet(StringComparer.Ordinal) ?? [];

        // RC-3: a flat @graph of entities, each with @id and @type, nested objects only references.
        if (document["@graph"] is not JsonArray graphArray)
        {
            Fail("RC-3", RuleLevel.Must, "@graph", "no @graph array");
            return findings;
        }
        var entities = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var node in graphArray)
        {
            if (node is not JsonObject entity || entity["@id"] is not JsonValue idValue || idValue.GetValueKind() != JsonValueKind.String)
            {
                Fail("RC-3", RuleLevel.Must, "@graph", $"an element without a string @id: {node?.ToJsonString()}");
                continue;
            }
            string id = idValue.GetValue<string>();
            if (entity["@type"] is null) Fail("RC-3", RuleLevel.Must, id, "no @type");
            // RC-4: unique ids.
            if (!entities.TryAdd(id, entity)) Fail("RC-4", RuleLevel.Must, id, "@id appears twice in the graph");
            foreach (var (property, value) in entity)
            {
                if (property.StartsWith('@')) continue;
                foreach (var item in Values(value))
                {
                    if (item is JsonObject nested && (nested.Count != 1 || nested["@id"] is null))
                        Fail("RC-3", RuleLevel.Should, id, $"{property} nests an entity instead of referencing it by @id");
                    if (item is JsonArray) Fail("RC-3", RuleLevel.Must, id, $"{property} holds a nested array");
                }
                // RC-11: one value is not wrapped in an array.
                if (value is JsonArray { Count: 1 }) Fail("RC-11", RuleLevel.Should, id, $"{property} is a single-element array");
                // RC-8: every property is a term of the contexts (or an absolute URI).
                if (!KnownTerms.Value.Contains(property) && !localTerms.Contains(property) && !IsAbsoluteUri(property))
                    Fail("RC-8", RuleLevel.Must, id, $"property '{property}' is defined by no context of the crate");
            }
            foreach (var type in Types(entity))
                if (!KnownTerms.Value.Contains(type) && !localTerms.Contains(type) && !IsAbsoluteUri(type))
                    Fail("RC-8", RuleLevel.Must, id, $"type '{type}' is defined by no context of the crate");
        }

        // RC-7: every reference resolves to an entity of the graph or is an absolute URI.
        foreach (var (id, entity) in entities)
            foreach (var (property, value) in entity)
                if (!property.StartsWith('@'))
                    foreach (var target in Refs(value))
                        if (!entities.ContainsKey(target) && !IsAbsoluteUri(target))
                            Fail("RC-7", RuleLevel.Must, id, $"{property} refers to '{target}', which is neither in the graph nor an absolute URI");

        // RC-5: the metadata descriptor.
        if (!entities.TryGetValue(MetadataFile, out var descriptor))
        {
            Fail("RC-5", RuleLevel.Must, MetadataFile, "no metadata descriptor entity");
            return findings;
        }
        if (!Types(descriptor).Contains("CreativeWork")) Fail("RC-5", RuleLevel.Must, MetadataFile, "descriptor is not a CreativeWork");
        if (!Refs(descriptor["conformsTo"]).Contains(CrateSpec)) Fail("RC-5", RuleLevel.Should, MetadataFile, $"descriptor does not conform to {CrateSpec}");
        string? rootId = Refs(descriptor["about"]).SingleOrDefault();
        if (rootId is null || !entities.TryGetValue(rootId, out var root))
        {
            Fail("RC-5", RuleLevel.Must, MetadataFile, "descriptor's about does not reference a root data entity in the graph");
            return findings;
        }
        // WR-1 (Workflow RO-Crate): the descriptor conforms to it too.
        if (!Refs(descriptor["conformsTo"]).Contains(WorkflowRoCrate)) Fail("WR-1", RuleLevel.Should, MetadataFile, $"descriptor does not conform to {WorkflowRoCrate}");

        // RC-6: the root data entity.
        if (!rootId.EndsWith('/')) Fail("RC-6", RuleLevel.Must, rootId, "root @id does not end with /");
        if (rootId != "./") Fail("RC-6", RuleLevel.Should, rootId, "root @id is not ./");
        if (!Types(root).Contains("Dataset")) Fail("RC-6", RuleLevel.Must, rootId, "root is not a Dataset");
        if (Text(root["name"]) is null) Fail("RC-6", RuleLevel.Should, rootId, "root has no name");
        if (Text(root["description"]) is null) Fail("RC-6", RuleLevel.Should, rootId, "root has no description");
        if (Text(root["datePublished"]) is not { } published || !IsIsoDate(published))
            Fail("RC-6", RuleLevel.Must, rootId, $"datePublished '{Text(root["datePublished"])}' is not an ISO 8601 date");
        // RC-6 license SHOULD, and Workflow RO-Crate 1.0: the crate MUST specify a license (WR-4).
        if (root["license"] is null) Fail("WR-4", RuleLevel.Must, rootId, "no license (Workflow RO-Crate: MUST; RO-Crate 1.1: SHOULD)");

        // RC-9 / RC-10 / RC-12: data entities: ids, reachability via hasPart, the files themselves.
        var reachable = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([rootId]);
        while (pending.Count > 0)
        {
            string current = pending.Pop();
            if (!entities.TryGetValue(current, out var e)) continue;
            foreach (var part in Refs(e["hasPart"]))
                if (reachable.Add(part)) pending.Push(part);
        }
        foreach (var (id, entity) in entities)
        {
            var types = Types(entity);
            bool isFile = types.Contains("File"), isDirectory = types.Contains("Dataset") && id != rootId;
            if (!isFile && !isDirectory) continue;
            if (IsAbsoluteUri(id)) continue; // a web-based data entity: nothing local to check
            if (id.StartsWith('#') || id.StartsWith('/') || id.Split('/').Contains(".."))
            {
                Fail("RC-9", RuleLevel.Must, id, "a data entity's @id must be a URI path relative to the crate root (no #, no leading /, no ..) or an absolute URI");
                continue;
            }
            if (!reachable.Contains(id)) Fail("RC-10", RuleLevel.Must, id, "data entity not reachable from the root via hasPart");
            string local = Path.Combine(folder, Uri.UnescapeDataString(id));
            if (isDirectory)
            {
                if (!Directory.Exists(local)) Fail("RC-12", RuleLevel.Must, id, "directory not in the crate");
                continue;
            }
            if (!File.Exists(local))
            {
                Fail("RC-12", RuleLevel.Must, id, "file not in the crate");
                continue;
            }
            var info = new FileInfo(local);
            if (Text(entity["contentSize"]) is { } size && size != info.Length.ToString(CultureInfo.InvariantCulture))
                Fail("RC-12", RuleLevel.Must, id, $"contentSize {size} but the file has {info.Length} bytes");
            if (Text(entity["sha256"]) is { } sha)
            {
                using var stream = File.OpenRead(local);
                string actual = Convert.ToHexStringLower(SHA256.HashData(stream));
                if (!string.Equals(sha, actual, StringComparison.OrdinalIgnoreCase)) Fail("RC-12", RuleLevel.Must, id, $"sha256 {sha} but the file's is {actual}");
            }
        }

        // RC-13: dates are ISO 8601; an action does not end before it starts.
        foreach (var (id, entity) in entities)
        {
            foreach (var property in new[] { "datePublished", "startTime", "endTime", "dateCreated", "dateModified" })
                if (Text(entity[property]) is { } date && !IsIsoDate(date)) Fail("RC-13", RuleLevel.Must, id, $"{property} '{date}' is not ISO 8601");
            if (Text(entity["startTime"]) is { } start && Text(entity["endTime"]) is { } end && IsIsoDate(start) && IsIsoDate(end) &&
                DateTimeOffset.Parse(end, CultureInfo.InvariantCulture) < DateTimeOffset.Parse(start, CultureInfo.InvariantCulture))
                Fail("RC-13", RuleLevel.Must, id, "endTime before startTime");
        }

        // Profile conformance of the root (PR-1, WF-1, PV-1), each conformsTo target a CreativeWork entity.
        var conforms = Refs(root["conformsTo"]).ToHashSet(StringComparer.Ordinal);
        if (!conforms.Contains(ProcessRun)) Fail("PR-1", RuleLevel.Should, rootId, $"root does not conform to {ProcessRun}");
        if (!conforms.Contains(WorkflowRun)) Fail("WF-1", RuleLevel.Must, rootId, $"root does not conform to {WorkflowRun}");
        if (!conforms.Contains(ProvenanceRun)) Fail("PV-1", RuleLevel.Must, rootId, $"root does not conform to {ProvenanceRun}");
        if (!conforms.Contains(WorkflowRoCrate)) Fail("WF-1", RuleLevel.Should, rootId, $"root does not conform to {WorkflowRoCrate}");
        foreach (var profile in conforms)
            if (!entities.TryGetValue(profile, out var p) || !Types(p).Contains("CreativeWork"))
                Fail("PR-1", RuleLevel.Must, rootId, $"conformsTo {profile} is not a CreativeWork entity of the graph");

        // WR-2 / WR-3: the main workflow.
        string? workflowId = Refs(root["mainEntity"]).SingleOrDefault();
        JsonObject? workflow = workflowId is null ? null : entities.GetValueOrDefault(workflowId);
        if (workflow is null || workflowId is null)
        {
            Fail("WR-2", RuleLevel.Must, rootId, "no mainEntity workflow in the graph");
            return findings;
        }
        var workflowTypes = Types(workflow);
        foreach (var type in new[] { "File", "SoftwareSourceCode", "ComputationalWorkflow" })
            if (!workflowTypes.Contains(type)) Fail("WR-2", RuleLevel.Must, workflowId, $"main workflow's @type lacks {type}");
        if (Refs(workflow["programmingLanguage"]).SingleOrDefault() is not { } language || !entities.ContainsKey(language))
            Fail("WR-3", RuleLevel.Must, workflowId, "main workflow does not refer to its language via programmingLanguage");

        var tools = Refs(workflow["hasPart"]).ToHashSet(StringComparer.Ordinal);
        bool IsTool(string id) => entities.TryGetValue(id, out var e) &&
            Types(e).Overlaps(["SoftwareApplication", "SoftwareSourceCode", "ComputationalWorkflow"]);

        // PR-2 … PR-6: every CreateAction (Process Run Crate).
        var mentions = Refs(root["mentions"]).ToHashSet(StringComparer.Ordinal);
        var createActions = entities.Where(e => Types(e.Value).Contains("CreateAction")).ToList();
        bool workflowRun = false;
        foreach (var (id, action) in createActions)
        {
            var instruments = Refs(action["instrument"]).ToList();
            if (instruments.Count == 0) Fail("PR-2", RuleLevel.Must, id, "CreateAction has no instrument");
            foreach (var instrument in instruments)
                if (!IsTool(instrument)) Fail("PR-2", RuleLevel.Must, id, $"instrument {instrument} is not a SoftwareApplication, SoftwareSourceCode or ComputationalWorkflow");
            if (instruments.Contains(workflowId)) workflowRun = true;
            else if (instruments.Any(i => !tools.Contains(i))) Fail("PV-2", RuleLevel.Must, id, "a tool run's instrument is not among the workflow's hasPart");
            if (Text(action["name"]) is null) Fail("PR-3", RuleLevel.Should, id, "CreateAction has no name");
            if (Text(action["endTime"]) is null) Fail("PR-3", RuleLevel.Should, id, "CreateAction has no endTime");
            if (action["result"] is null) Fail("PR-3", RuleLevel.Should, id, "CreateAction has no result");
            foreach (var item in Refs(action["object"]).Concat(Refs(action["result"])))
                if (entities.TryGetValue(item, out var e) && !Types(e).Overlaps(["File", "Dataset", "Collection", "CreativeWork", "PropertyValue"]))
                    Fail("PR-3", RuleLevel.Should, id, $"object/result {item} is not a File, Dataset, Collection, CreativeWork or PropertyValue");
            if (!mentions.Contains(id)) Fail("PR-4", RuleLevel.Should, id, "CreateAction is not listed under the root's mentions");
            CheckStatus(id, action, Fail);
        }
        // WF-2: the workflow's own run.
        if (!workflowRun) Fail("WF-2", RuleLevel.Must, workflowId, "no CreateAction has the main workflow as instrument");

        // PR-6: tools are named and versioned, not twice.
        foreach (var (id, tool) in entities.Where(e => Types(e.Value).Contains("SoftwareApplication")))
        {
            if (Text(tool["name"]) is null) Fail("PR-6", RuleLevel.Should, id, "SoftwareApplication has no name");
            bool version = tool["version"] is not null, softwareVersion = tool["softwareVersion"] is not null;
            if (!version && !softwareVersion) Fail("PR-6", RuleLevel.Should, id, "SoftwareApplication has no version");
            if (version && softwareVersion) Fail("PR-6", RuleLevel.Should, id, "SoftwareApplication has both version and softwareVersion");
        }

        // WF-3 / WF-4: formal parameters and the values realising them.
        foreach (var (id, parameter) in entities.Where(e => Types(e.Value).Contains("FormalParameter")))
        {
            if (parameter["additionalType"] is null) Fail("WF-3", RuleLevel.Must, id, "FormalParameter has no additionalType");
            if (Text(parameter["name"]) is null) Fail("WF-3", RuleLevel.Should, id, "FormalParameter has no name");
        }
        foreach (var (id, value) in entities.Where(e => Types(e.Value).Contains("PropertyValue")))
        {
            foreach (var formal in Refs(value["exampleOfWork"]))
                if (!entities.TryGetValue(formal, out var f) || !Types(f).Contains("FormalParameter"))
                    Fail("WF-4", RuleLevel.Must, id, $"exampleOfWork {formal} is not a FormalParameter");
            if (value["value"] is null || Text(value["name"]) is null) Fail("WF-4", RuleLevel.Should, id, "PropertyValue without name or value");
        }

        // PV-3 … PV-6: steps, step runs and the engine run (Provenance Run Crate).
        var steps = Refs(workflow["step"]).ToList();
        if (steps.Count > 0 && !workflowTypes.Contains("HowTo")) Fail("PV-3", RuleLevel.Must, workflowId, "a workflow with step must also be a HowTo");
        if (steps.Count == 0) Fail("PV-3", RuleLevel.Should, workflowId, "the workflow lists no step");
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var stepId in steps)
        {
            if (!entities.TryGetValue(stepId, out var step) || !Types(step).Contains("HowToStep"))
            {
                Fail("PV-3", RuleLevel.Must, workflowId, $"step {stepId} is not a HowToStep of the graph");
                continue;
            }
            var example = Refs(step["workExample"]).ToList();
            if (example.Count != 1 || !tools.Contains(example[0])) Fail("PV-4", RuleLevel.Must, stepId, "HowToStep's workExample is not one of the workflow's tools");
            if (step["position"] is JsonValue position && position.TryGetValue<int>(out int p)) positions[stepId] = p;
        }
        var controlOf = new Dictionary<string, string>(StringComparer.Ordinal); // tool run → step
        var controls = entities.Where(e => Types(e.Value).Contains("ControlAction")).ToList();
        foreach (var (id, control) in controls)
        {
            var instrument = Refs(control["instrument"]).ToList();
            if (instrument.Count != 1 || !entities.TryGetValue(instrument[0], out var step) || !Types(step).Contains("HowToStep"))
            {
                Fail("PV-5", RuleLevel.Must, id, "ControlAction's instrument is not a HowToStep");
                continue;
            }
            var runs = Refs(control["object"]).ToList();
            if (runs.Count == 0) Fail("PV-5", RuleLevel.Must, id, "ControlAction has no object");
            foreach (var run in runs)
            {
                if (!entities.TryGetValue(run, out var action) || !Types(action).Contains("CreateAction"))
                {
                    Fail("PV-5", RuleLevel.Must, id, $"object {run} is not a CreateAction");
                    continue;
                }
                controlOf[run] = instrument[0];
                // The step's tool is the tool that ran.
                if (!Refs(action["instrument"]).SequenceEqual(Refs(step["workExample"])))
                    Fail("PV-5", RuleLevel.Must, id, $"the step's workExample is not the instrument of {run}");
            }
            CheckStatus(id, control, Fail);
        }
        if (controls.Count == 0) Fail("PV-5", RuleLevel.Should, workflowId, "no ControlAction records the step executions");
        // PV-4: a step reading another step's result comes later.
        var producerStep = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (run, step) in controlOf)
            foreach (var result in Refs(entities[run]["result"])) producerStep[result] = step;
        foreach (var (run, step) in controlOf)
            foreach (var input in Refs(entities[run]["object"]))
                if (producerStep.TryGetValue(input, out var earlier) && earlier != step &&
                    positions.TryGetValue(step, out int later) && positions.TryGetValue(earlier, out int first) && later <= first)
                    Fail("PV-4", RuleLevel.Must, step, $"position {later} is not after {earlier} ({first}), whose result {input} it reads");
        foreach (var (id, organize) in entities.Where(e => Types(e.Value).Contains("OrganizeAction")))
        {
            if (Refs(organize["instrument"]).SingleOrDefault() is not { } engine || !IsTool(engine))
                Fail("PV-6", RuleLevel.Must, id, "OrganizeAction's instrument is not the engine's SoftwareApplication");
            if (Refs(organize["result"]).SingleOrDefault() is not { } result || !entities.TryGetValue(result, out var run) ||
                !Refs(run["instrument"]).Contains(workflowId))
                Fail("PV-6", RuleLevel.Must, id, "OrganizeAction's result is not the workflow's CreateAction");
            foreach (var item in Refs(organize["object"]))
                if (!entities.TryGetValue(item, out var o) || !Types(o).Contains("ControlAction"))
                    Fail("PV-6", RuleLevel.Must, id, $"object {item} is not a ControlAction");
            CheckStatus(id, organize, Fail);
        }
        return findings;
    }

    /// <summary>PR-5: actionStatus is Completed or Failed; error only with Failed.</summary>
    private static void CheckStatus(string id, JsonObject action, Action<string, RuleLevel, string, string> fail)
    {
        var status = Refs(action["actionStatus"]).SingleOrDefault() ?? Text(action["actionStatus"]);
        if (status is not null && status != Completed && status != Failed) fail("PR-5", RuleLevel.Should, id, $"actionStatus {status} is neither Completed nor Failed");
        if (action["error"] is not null && status != Failed) fail("PR-5", RuleLevel.Should, id, "error given but the action did not fail");
    }

    private static IEnumerable<JsonNode?> Values(JsonNode? value) => value is JsonArray array ? array : new[] { value };

    /// <summary>The @id references of a property value (single or array).</summary>
    private static IEnumerable<string> Refs(JsonNode? value) =>
        Values(value).OfType<JsonObject>().Select(o => o["@id"]).OfType<JsonValue>().Select(v => v.GetValue<string>());

    private static HashSet<string> Types(JsonObject entity) =>
        Values(entity["@type"]).OfType<JsonValue>().Select(v => v.GetValue<string>()).ToHashSet(StringComparer.Ordinal);

    private static string? Text(JsonNode? value) => value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static bool IsAbsoluteUri(string value) => Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "urn" or "mailto" or "file";

    /// <summary>An ISO 8601 date or date-time with offset (<c>2024-05-01</c>, <c>2024-05-01T10:00:00.5Z</c>).</summary>
    private static bool IsIsoDate(string value) =>
        DateTime.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) ||
        System.Text.RegularExpressions.Regex.IsMatch(value, @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$") &&
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    /// <summary>The terms of the RO-Crate 1.1 context and the workflow-run context, committed under Fixtures/ro-crate.</summary>
    private static HashSet<string> LoadTerms()
    {
        string fixtures = Path.Combine(RepositoryRoot.Path, "tests", "Atlas.Stages.Tests", "Fixtures", "ro-crate");
        var terms = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in new[] { "ro-crate-1.1-context.jsonld", "workflow-run-context.json" })
        {
            var context = JsonNode.Parse(File.ReadAllText(Path.Combine(fixtures, file)))!["@context"]!.AsObject();
            foreach (var (term, _) in context) terms.Add(term);
        }
        return terms;
    }
}

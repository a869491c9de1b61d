namespace Atlas.Stages.RoCrate;

/// <summary>
/// The identifiers the exported crate declares conformance to and the JSON-LD contexts it uses; one definition each,
/// shared by the writer and the tests' validator. Sources: docs/notes/ro-crate.md.
/// </summary>
public static class RoCrateTerms
{
    /// <summary>The metadata file's name (RO-Crate 1.1, "RO-Crate Metadata File").</summary>
    public const string MetadataFileName = "ro-crate-metadata.json";

    /// <summary>The root data entity's id: the crate's own folder.</summary>
    public const string RootId = "./";

    /// <summary>RO-Crate 1.1 JSON-LD context.</summary>
    public const string CrateContext = "https://w3id.org/ro/crate/1.1/context";

    /// <summary>Workflow Run Crate terms (<c>environment</c>, <c>sha256</c>, …).</summary>
    public const string WorkflowRunContext = "https://w3id.org/ro/terms/workflow-run/context";

    /// <summary>RO-Crate 1.1 specification permalink (what the descriptor conforms to).</summary>
    public const string CrateSpecification = "https://w3id.org/ro/crate/1.1";

    /// <summary>Process Run Crate 0.5 permalink.</summary>
    public const string ProcessRunCrate = "https://w3id.org/ro/wfrun/process/0.5";

    /// <summary>Workflow Run Crate 0.5 permalink.</summary>
    public const string WorkflowRunCrate = "https://w3id.org/ro/wfrun/workflow/0.5";

    /// <summary>Provenance Run Crate 0.5 permalink (the level chosen: every stage is a tool run with its step).</summary>
    public const string ProvenanceRunCrate = "https://w3id.org/ro/wfrun/provenance/0.5";

    /// <summary>Workflow RO-Crate 1.0 permalink (Workflow Run Crate extends it).</summary>
    public const string WorkflowRoCrate = "https://w3id.org/workflowhub/workflow-ro-crate/1.0";

    /// <summary>schema.org action statuses.</summary>
    public const string CompletedActionStatus = "http://schema.org/CompletedActionStatus";

    /// <inheritdoc cref="CompletedActionStatus"/>
    public const string FailedActionStatus = "http://schema.org/FailedActionStatus";

    /// <summary>The profiles the root dataset conforms to, with their names and versions (each a CreativeWork entity).</summary>
    public static IReadOnlyList<(string Id, string Name, string Version)> Profiles { get; } =
    [
        (ProcessRunCrate, "Process Run Crate", "0.5"),
        (WorkflowRunCrate, "Workflow Run Crate", "0.5"),
        (ProvenanceRunCrate, "Provenance Run Crate", "0.5"),
        (WorkflowRoCrate, "Workflow RO-Crate", "1.0"),
    ];
}

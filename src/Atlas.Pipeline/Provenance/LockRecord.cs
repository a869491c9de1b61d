using System.Text.Json.Nodes;

namespace Atlas.Pipeline.Provenance;

/// <summary>
/// What one stage run consumed and produced, and under which conditions (after DVC's <c>dvc.lock</c> and Sacred's
/// <c>run.json</c>). Stored as <c>lock.json</c> in the stage's folder by <see cref="LockStore"/>; comparing it with
/// the current state tells whether the stage must run again (<see cref="UpToDateCheck"/>).
/// </summary>
public sealed record LockRecord
{
    /// <summary>Stage id, e.g. <c>finetune/mnist</c>.</summary>
    public required string Stage { get; init; }

    /// <summary>The command line that reproduces the run.</summary>
    public required string Command { get; init; }

    /// <summary>The resolved parameters, kept whole so a change can be reported by name.</summary>
    public required JsonNode Parameters { get; init; }

    /// <summary><see cref="Store.ContentHash.OfJson"/> of <see cref="Parameters"/>.</summary>
    public required string ParamsHash { get; init; }

    /// <summary>Artifact path → SHA-256 of everything the stage read.</summary>
    public required IReadOnlyDictionary<string, string> Inputs { get; init; }

    /// <summary>Artifact path → hash and size of everything the stage wrote.</summary>
    public required IReadOnlyDictionary<string, OutputRecord> Outputs { get; init; }

    /// <summary>The stage's own seed (derived from the spec's master seed).</summary>
    public required long Seed { get; init; }

    /// <summary>Intra-op threads used.</summary>
    public required int Threads { get; init; }

    /// <summary>Git commit and dirty flag of the code that ran.</summary>
    public required CodeVersion Code { get; init; }

    /// <summary>The <see cref="Provenance.CodeFingerprint"/> of the code the stage ran (null in locks written before it
    /// was recorded): a different one makes the stage stale.</summary>
    public string? CodeFingerprint { get; init; }

    /// <summary>Versions of the libraries that shape results (e.g. TorchSharp, libtorch), as the caller names them.</summary>
    public required IReadOnlyDictionary<string, string> Packages { get; init; }

    /// <summary>Where it ran.</summary>
    public required MachineInfo Machine { get; init; }

    /// <summary>When the run started (UTC).</summary>
    public required DateTimeOffset StartedUtc { get; init; }

    /// <summary>When the run ended (UTC).</summary>
    public required DateTimeOffset EndedUtc { get; init; }

    /// <summary>Written for readers of the file; derived from the two times.</summary>
    public double DurationSeconds => (EndedUtc - StartedUtc).TotalSeconds;

    /// <summary>How the run ended; only a successful run can make the stage up to date.</summary>
    public required LockStatus Status { get; init; }
}

using System.Text.Json.Nodes;
using Atlas.Store;

namespace Atlas.Pipeline.Provenance;

/// <summary>
/// Decides whether a stage's last recorded run still holds (DVC-style): same parameters, same input hashes, outputs
/// present and unmodified, the same code (<see cref="CodeFingerprint"/>, when the caller gives it), and the run
/// succeeded. Package versions are not a reason: a .NET patch release would rerun everything; the audit reports them.
/// </summary>
public static class UpToDateCheck
{
    /// <summary>As <see cref="Evaluate(LockRecord?, JsonNode, IReadOnlyDictionary{string, string}, Func{string, string?}, string?)"/>, with an unreadable lock as the reason when there is one.</summary>
    public static Freshness Evaluate(
        StoredLock stored,
        JsonNode currentParameters,
        IReadOnlyDictionary<string, string> currentInputHashes,
        Func<string, string?> currentOutputHash,
        string? currentCodeFingerprint = null) =>
        stored.Problem is { } problem
            ? Freshness.Stale(problem)
            : Evaluate(stored.Record, currentParameters, currentInputHashes, currentOutputHash, currentCodeFingerprint);

    /// <param name="existing">The stage's lock record, null when it never ran.</param>
    /// <param name="currentParameters">The stage's resolved parameters now (hashed with <see cref="ContentHash.OfJson"/>).</param>
    /// <param name="currentInputHashes">Input artifact path → its SHA-256 now.</param>
    /// <param name="currentOutputHash">
    /// The SHA-256 of a recorded output path now, or null when it is missing; typically <see cref="HashCache.TryHash"/>.
    /// </param>
    /// <param name="currentCodeFingerprint">The stage's <see cref="CodeFingerprint"/> now; null to leave code out.</param>
    public static Freshness Evaluate(
        LockRecord? existing,
        JsonNode currentParameters,
        IReadOnlyDictionary<string, string> currentInputHashes,
        Func<string, string?> currentOutputHash,
        string? currentCodeFingerprint = null)
    {
        if (existing is null) return Freshness.Stale("no lock record");
        var reasons = new List<string>();
        if (existing.Status != LockStatus.Succeeded) reasons.Add($"last run {existing.Status.ToString().ToLowerInvariant()}");
        if (currentCodeFingerprint is not null)
        {
            if (existing.CodeFingerprint is null) reasons.Add("code fingerprint not recorded (lock from an older version)");
            else if (existing.CodeFingerprint != currentCodeFingerprint)
                reasons.Add($"code changed (fingerprint {existing.CodeFingerprint[..Math.Min(8, existing.CodeFingerprint.Length)]}… → {currentCodeFingerprint[..8]}…)");
        }

        if (ContentHash.OfJson(currentParameters) != existing.ParamsHash)
        {
            var changes = ParameterDiff.Describe(existing.Parameters, currentParameters);
            // Equal values with a different stored hash mean the lock was written under other hashing rules.
            reasons.AddRange(changes.Count > 0 ? changes : ["parameter hash changed"]);
        }

        foreach (var (path, hash) in currentInputHashes)
        {
            if (!existing.Inputs.TryGetValue(path, out var recorded)) reasons.Add($"new input {path}");
            else if (recorded != hash) reasons.Add($"input {path} changed");
        }
        foreach (var path in existing.Inputs.Keys.Where(p => !currentInputHashes.ContainsKey(p)))
            reasons.Add($"input {path} no longer used");

        foreach (var (path, output) in existing.Outputs)
        {
            var hash = currentOutputHash(path);
            if (hash is null) reasons.Add($"output {path} missing");
            else if (hash != output.Sha256) reasons.Add($"output {path} modified since the run");
        }

        return reasons.Count == 0 ? Freshness.UpToDate : Freshness.Stale(reasons);
    }
}

using Atlas.Store;
using System.Globalization;
using System.Text.Json;
using Atlas.Training;
using Atlas.Training.Selection;
using static TorchSharp.torch;

namespace Atlas.Stages.Storage;

/// <summary>
/// A training snapshot in one safetensors file: trained tensors under <c>param.*</c>, optimizer state under
/// <c>optim.*</c>, a model selection's best weights under <c>best.*</c>, and the step, loss history, selection trace and
/// run key in the header metadata. A snapshot written by a run with
/// other parameters or inputs (another key) is ignored, so a changed learning rate never resumes a stale run.
/// </summary>
public sealed class FileCheckpoint(string path, string runKey, int interval, TextWriter log) : ITrainingCheckpoint
{
    private const string ParameterPrefix = "param.", OptimizerPrefix = "optim.", BestPrefix = "best.";

    public int Interval { get; } = interval;

    /// <summary>Snapshot after every fifth of the run: often enough to lose little, rarely enough to cost little.</summary>
    public static int IntervalFor(int steps) => Math.Max(1, steps / 5);

    /// <summary>The snapshot's SHA-256, written beside it after it: a snapshot whose bytes do not match (truncated,
    /// corrupted, or saved by a run killed before its hash) is never resumed.</summary>
    private string HashPath => path + ".sha256";

    public TrainingSnapshot? Load()
    {
        if (!File.Exists(path)) return null;
        try
        {
            string? recorded = File.Exists(HashPath) ? File.ReadAllText(HashPath).Trim() : null;
            string actual = ContentHash.OfFile(path);
            if (recorded != actual)
            {
                log.WriteLine(recorded is null
                    ? $"  snapshot {path} has no recorded hash (its run was killed while saving it, or it predates snapshot hashes); starting fresh"
                    : $"  snapshot {path} does not match its recorded hash (sha256 {recorded[..Math.Min(12, recorded.Length)]}… recorded, {actual[..12]}… now: truncated or corrupted); starting fresh");
                return null;
            }
            var metadata = SafeTensorsFile.ReadMetadata(path);
            if (metadata.GetValueOrDefault("run_key") != runKey)
            {
                log.WriteLine($"  snapshot {path} belongs to other parameters or inputs; starting fresh");
                return null;
            }
            var tensors = SafeTensorsFile.Load(path);
            long steps = long.Parse(metadata["completed_steps"], CultureInfo.InvariantCulture);
            var history = JsonSerializer.Deserialize<List<LossPoint>>(metadata["history"]) ?? [];
            var selection = metadata.TryGetValue("selection", out var trace)
                ? JsonSerializer.Deserialize<SelectionTrace>(trace) is { } t
                    ? new SelectionState(t.BestEpoch, t.BestScore, Strip(tensors, BestPrefix), t.Records, t.Stopped)
                    : throw new InvalidDataException("empty selection trace")
                : null;
            log.WriteLine($"  resuming from the snapshot after step {steps}");
            return new TrainingSnapshot(steps, Strip(tensors, ParameterPrefix), Strip(tensors, OptimizerPrefix), history, selection);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or KeyNotFoundException or FormatException or EndOfStreamException)
        {
            log.WriteLine($"  snapshot {path} is unreadable ({e.Message}); starting fresh");
            return null;
        }
    }

    public void Save(TrainingSnapshot snapshot)
    {
        var tensors = snapshot.Parameters.ToDictionary(p => ParameterPrefix + p.Key, p => p.Value)
            .Concat(snapshot.OptimizerState.Select(p => KeyValuePair.Create(OptimizerPrefix + p.Key, p.Value)))
            .Concat((snapshot.Selection?.BestWeights ?? new Dictionary<string, Tensor>()).Select(p => KeyValuePair.Create(BestPrefix + p.Key, p.Value)))
            .ToDictionary();
        var metadata = new Dictionary<string, string>
        {
            ["run_key"] = runKey,
            ["completed_steps"] = snapshot.CompletedSteps.ToString(CultureInfo.InvariantCulture),
            ["history"] = JsonSerializer.Serialize(snapshot.History),
        };
        if (snapshot.Selection is { } selection)
            metadata["selection"] = JsonSerializer.Serialize(
                new SelectionTrace(selection.BestEpoch, selection.BestScore, selection.Records, selection.Stopped));
        SafeTensorsFile.Save(path, tensors, metadata);
        AtomicFile.WriteAllText(HashPath, ContentHash.OfFile(path) + "\n");
    }

    /// <summary>Removes the snapshot once the stage's result is safely written.</summary>
    public void Delete()
    {
        File.Delete(path);
        File.Delete(HashPath);
    }

    private sealed record SelectionTrace(int BestEpoch, double BestScore, IReadOnlyList<EpochRecord> Records, bool Stopped);

    private static Dictionary<string, Tensor> Strip(Dictionary<string, Tensor> tensors, string prefix) =>
        tensors.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(p => p.Key[prefix.Length..], p => p.Value);
}

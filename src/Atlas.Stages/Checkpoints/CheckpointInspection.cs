using Atlas.Models;
using static TorchSharp.torch;

namespace Atlas.Stages.Checkpoints;

/// <summary>What <c>atlas inspect</c> reports: every tensor as stored, the naming, and the configurations it fits.</summary>
/// <param name="Tensors">Name, dtype and shape of each stored tensor, in file order.</param>
/// <param name="Naming">open_clip (project) or Hugging Face names.</param>
/// <param name="Matches">Names of the known configurations the checkpoint loads under without a problem.</param>
public sealed record CheckpointInspection(
    IReadOnlyList<(string Name, string DType, long[] Shape)> Tensors, ParameterNaming Naming, IReadOnlyList<string> Matches)
{
    /// <summary>Reads the checkpoint at <paramref name="path"/> and checks it against every configuration in <paramref name="known"/>.</summary>
    public static CheckpointInspection Of(string path, IEnumerable<ClipConfig> known)
    {
        var stored = CheckpointFile.Read(path);
        try
        {
            var naming = ClipNameMap.Detect(stored.Keys);
            var matches = known.Where(config => ClipCheckpoint.Problems(stored, config, naming).Count == 0).Select(c => c.Name).ToList();
            return new([.. stored.Select(t => (t.Key, t.Value.dtype.ToString(), t.Value.shape))], naming, matches);
        }
        finally
        {
            foreach (var tensor in stored.Values) tensor.Dispose();
        }
    }

    /// <summary>The report as text: one tensor a line, then the naming and the matching configurations.</summary>
    public string Render()
    {
        var lines = Tensors.Select(t => $"{t.Name}\t{t.DType}\t[{string.Join(", ", t.Shape)}]").ToList();
        lines.Add($"tensors: {Tensors.Count}");
        lines.Add($"naming: {ClipCheckpoint.Describe(Naming)}");
        lines.Add(Matches.Count > 0 ? $"matches: {string.Join(", ", Matches)}" : "matches: no known configuration");
        return string.Join('\n', lines) + "\n";
    }
}

using System.Text.Json.Nodes;
using Atlas.Stages.Storage;
using static TorchSharp.torch;

namespace Atlas.Stages.Checkpoints;

/// <summary>
/// Reads a checkpoint's tensors as stored (names and dtypes untouched) from the formats atlas accepts: one safetensors
/// file, or a sharded one through its <c>*.safetensors.index.json</c> (<c>weight_map</c>: tensor name → shard file beside
/// the index). Pickled <c>.pt</c>/<c>.bin</c> files are refused before anything is unpickled.
/// </summary>
public static class CheckpointFile
{
    /// <summary>Every tensor of the checkpoint at <paramref name="path"/>.</summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: checkpoint not found", path);
        if (PickleRefusal.IsPickled(path)) throw PickleRefusal.Refuse(path);
        return path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? ReadSharded(path) : SafeTensorsFile.Load(path);
    }

    private static Dictionary<string, Tensor> ReadSharded(string indexPath)
    {
        JsonObject weightMap;
        try
        {
            weightMap = JsonNode.Parse(File.ReadAllText(indexPath))?["weight_map"] as JsonObject
                ?? throw new InvalidDataException($"{indexPath}: a sharded-checkpoint index needs a \"weight_map\" object");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException($"{indexPath}: not a JSON index: {e.Message}");
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(indexPath))!;
        var shardOf = weightMap.ToDictionary(e => e.Key, e => e.Value?.GetValue<string>()
            ?? throw new InvalidDataException($"{indexPath}: tensor '{e.Key}' has no shard file"), StringComparer.Ordinal);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var shard in shardOf.Values.Distinct())
        {
            var tensors = Read(Path.Combine(folder, shard));
            foreach (var (name, tensor) in tensors)
            {
                if (!shardOf.TryGetValue(name, out var listed) || listed != shard)
                    throw new InvalidDataException($"{indexPath}: shard {shard} holds tensor '{name}', which the index does not assign to it");
                result[name] = tensor;
            }
        }
        var absent = shardOf.Keys.Where(name => !result.ContainsKey(name)).ToList();
        if (absent.Count > 0)
            throw new InvalidDataException($"{indexPath}: the index lists tensors no shard holds: {string.Join(", ", absent)}");
        return result;
    }
}

using Atlas.Models;
using Atlas.Stages.Storage;
using static TorchSharp.torch;

namespace Atlas.Stages.Checkpoints;

/// <summary>
/// <c>atlas convert</c>: any accepted checkpoint (open_clip or Hugging Face names; safetensors, single or sharded;
/// fp32, fp16 or bf16) written as the project's safetensors: project names in open_clip's order, fp32, the configuration
/// recorded in the header's <c>__metadata__</c>.
/// </summary>
public static class CheckpointConversion
{
    /// <summary>Header metadata key holding the configuration the checkpoint was checked against.</summary>
    public const string ConfigMetadataKey = "clip_config";

    /// <summary>Converts <paramref name="input"/> to <paramref name="output"/>; without a configuration, the one known configuration it fits.</summary>
    /// <returns>The configuration used and the number of tensors written.</returns>
    public static (ClipConfig Config, int Tensors) Convert(string input, string output, ClipConfig? config, IReadOnlyList<ClipConfig> known)
    {
        config ??= Infer(input, known);
        var tensors = ClipCheckpoint.Load(input, config);
        try
        {
            SafeTensorsFile.Save(output, tensors, new Dictionary<string, string> { ["format"] = "pt", [ConfigMetadataKey] = config.Name });
            return (config, tensors.Count);
        }
        finally
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
        }
    }

    private static ClipConfig Infer(string input, IReadOnlyList<ClipConfig> known)
    {
        var matches = CheckpointInspection.Of(input, known).Matches;
        return matches.Count == 1
            ? known.First(c => c.Name == matches[0])
            : throw new InvalidDataException(matches.Count == 0
                ? $"{input}: fits none of the known CLIP configs ({string.Join(", ", known.Select(c => c.Name))}); pass --model to see what differs"
                : $"{input}: fits several CLIP configs ({string.Join(", ", matches)}); pass --model");
    }
}

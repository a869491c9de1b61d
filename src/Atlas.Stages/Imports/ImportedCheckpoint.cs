using Atlas.Models;
using Atlas.Pipeline.Specs;
using Atlas.Stages.Checkpoints;
using Atlas.Stages.Storage;
using static TorchSharp.torch;

namespace Atlas.Stages.Imports;

/// <summary>
/// A checkpoint file a spec names in place of computed weights (<see cref="ImportedFileKind"/>): checked against the
/// backbone's configuration from its safetensors header alone when the spec is loaded (every problem names the file
/// and the tensor), and read as the project's fp32 tensors when its import stage runs. One safetensors file, as
/// <c>atlas convert</c> writes it (Hugging Face names are accepted and mapped too); a sharded index or a pickle is
/// refused with what to run instead.
/// </summary>
public static class ImportedCheckpoint
{
    private static readonly ScalarType[] FloatTypes = [ScalarType.Float32, ScalarType.Float16, ScalarType.BFloat16];

    /// <summary>Everything wrong with the file at <paramref name="path"/> (absolute) for <paramref name="kind"/> under
    /// <paramref name="config"/>, each naming the file; empty when it fits.</summary>
    public static IReadOnlyList<string> Problems(string path, ImportedFileKind kind, ClipConfig config)
    {
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            return [$"{path}: a sharded checkpoint's index; write it as one file first (atlas convert --in {path} --out FILE.safetensors)"];
        if (PickleRefusal.IsPickled(path)) return [PickleRefusal.Refuse(path).Message];
        IReadOnlyList<(string Name, ScalarType DType, long[] Shape)> entries;
        try { entries = SafeTensorsFile.ReadEntries(path); }
        catch (InvalidDataException error) { return [error.Message]; }

        // Stand-ins that have the stored names, dtypes and shapes but one element of memory each (expanded views), so
        // the checkpoint checks of ClipCheckpoint run without reading the payload.
        using var scope = NewDisposeScope();
        var standIns = entries.ToDictionary(e => e.Name, e => e.Shape.Length == 0 ? empty(e.Shape, e.DType) : empty(1, e.DType).expand(e.Shape),
            StringComparer.Ordinal);
        var problems = kind == ImportedFileKind.TaskVector ? TaskVectorProblems(standIns, config) : WeightProblems(standIns, kind, config);
        return [.. problems.Select(p => $"{path}: {p}")];
    }

    /// <summary>The pretrained CLIP: every tensor, project names, fp32, open_clip's order.</summary>
    public static Dictionary<string, Tensor> LoadPretrained(string path, ClipConfig config) => ClipCheckpoint.Load(path, config);

    /// <summary>The fine-tuned image tower (<c>visual.*</c>, project names, fp32) of a CLIP or image-encoder checkpoint.</summary>
    public static Dictionary<string, Tensor> LoadFineTunedVisual(string path, ClipConfig config)
    {
        var all = ClipCheckpoint.Load(path, config);
        foreach (var (name, tensor) in all)
            if (!IsVisual(name)) tensor.Dispose();
        return all.Where(t => IsVisual(t.Key)).ToDictionary(StringComparer.Ordinal);
    }

    /// <summary>The task vector: one fp32 delta per image-tower parameter, in open_clip's order.</summary>
    /// <exception cref="InvalidDataException">The file does not fit <paramref name="config"/>.</exception>
    public static Dictionary<string, Tensor> LoadTaskVector(string path, ClipConfig config)
    {
        var stored = CheckpointFile.Read(path);
        try
        {
            var problems = TaskVectorProblems(stored, config);
            if (problems.Count > 0)
                throw new InvalidDataException($"{path}: not a task vector of CLIP config '{config.Name}':\n  " + string.Join("\n  ", problems));
            return ClipParameterNames.Visual(config).ToDictionary(name => name, name => HalfPrecision.ToFloat32(stored[name]), StringComparer.Ordinal);
        }
        finally
        {
            foreach (var tensor in stored.Values) tensor.Dispose();
        }
    }

    private static IReadOnlyList<string> WeightProblems(IReadOnlyDictionary<string, Tensor> stored, ImportedFileKind kind, ClipConfig config)
    {
        var naming = ClipNameMap.Detect(stored.Keys);
        var problems = ClipCheckpoint.Problems(stored, config, naming);
        if (problems.Count > 0) return [$"does not fit CLIP config '{config.Name}' ({ClipCheckpoint.Describe(naming)} names): {string.Join("; ", problems)}"];
        // The heads are built with the pretrained text tower, so an image-encoder checkpoint cannot stand in for it.
        string textBlocks = naming == ParameterNaming.OpenClip ? ClipParameterNames.TextTransformerPrefix : "text_model.encoder.";
        if (kind == ImportedFileKind.Pretrained && !stored.Keys.Any(n => n.StartsWith(textBlocks, StringComparison.Ordinal)))
            return [$"holds an image encoder only (no '{textBlocks}*' tensors); pretrained weights need the whole CLIP, whose text tower builds the zero-shot heads"];
        return [];
    }

    /// <summary>Exactly the image-tower names of <paramref name="config"/>, each with its parameter's shape and a float dtype.</summary>
    private static List<string> TaskVectorProblems(IReadOnlyDictionary<string, Tensor> stored, ClipConfig config)
    {
        var expected = ClipParameterNames.Shapes(config).Where(p => IsVisual(p.Name)).ToList();
        var problems = new List<string>();
        var missing = expected.Where(p => !stored.ContainsKey(p.Name)).Select(p => p.Name).ToList();
        if (missing.Count > 0) problems.Add($"missing ({missing.Count}): {string.Join(", ", missing)}");
        var known = expected.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var unexpected = stored.Keys.Where(n => !known.Contains(n)).Order(StringComparer.Ordinal).ToList();
        if (unexpected.Count > 0) problems.Add($"unexpected ({unexpected.Count}; a task vector holds image-tower deltas only): {string.Join(", ", unexpected)}");
        foreach (var (name, shape) in expected.Where(p => stored.ContainsKey(p.Name)))
        {
            var tensor = stored[name];
            if (!tensor.shape.SequenceEqual(shape))
                problems.Add($"mis-shaped: '{name}' is [{string.Join(", ", tensor.shape)}], config '{config.Name}' needs [{string.Join(", ", shape)}]");
            if (!FloatTypes.Contains(tensor.dtype))
                problems.Add($"wrong dtype: '{name}' is {tensor.dtype}, a delta must be F32, F16 or BF16");
        }
        return problems;
    }

    private static bool IsVisual(string name) => name.StartsWith(ClipParameterNames.VisualPrefix, StringComparison.Ordinal);
}

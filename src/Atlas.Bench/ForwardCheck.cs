using System.Runtime.InteropServices;
using System.Text.Json;
using Atlas.Method;
using Atlas.Models;
using Atlas.Training;
using static TorchSharp.torch;

namespace Atlas.Bench;

/// <summary>How far the PyTorch reference's logits are from the project's on the same weights and batch.</summary>
/// <param name="MaxAbsDifference">Largest |project − reference| over all logits.</param>
/// <param name="MaxAbsLogit">Largest |logit|, for scale.</param>
/// <param name="Logits">How many logits were compared.</param>
public sealed record ForwardAgreement(double MaxAbsDifference, double MaxAbsLogit, long Logits);

/// <summary>
/// The check that both sides of the comparison compute the same thing: the project's forward logits on one batch,
/// exported with the tower's weights, the preprocessed images and the head as raw little-endian float32 files (named
/// in <c>manifest.json</c>), for the reference script to recompute with its own code.
/// </summary>
public static class ForwardCheck
{
    /// <summary>Writes everything the reference needs into <paramref name="directory"/> (created if needed).</summary>
    public static void Export(BenchSize size, string directory)
    {
        Directory.CreateDirectory(directory);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var generator = new Generator(1);
        var (config, visual, head, images, _) = StepBenchmark.Inputs(size, generator);
        var preprocessed = Preprocessing.Normalize(images, config);
        var logits = ZeroShotHead.Logits(ClipForward.EncodeImage(preprocessed, visual, config.Vision), head);
        var tensors = new Dictionary<string, Tensor>(visual) { ["images"] = preprocessed, ["head"] = head, ["logits"] = logits };
        var manifest = new Dictionary<string, object>();
        int index = 0;
        foreach (var (name, tensor) in tensors)
        {
            string file = $"{index++}.f32";
            File.WriteAllBytes(Path.Combine(directory, file), MemoryMarshal.AsBytes(tensor.contiguous().data<float>().ToArray().AsSpan()).ToArray());
            manifest[name] = new { file, shape = tensor.shape };
        }
        File.WriteAllText(Path.Combine(directory, "manifest.json"), JsonSerializer.Serialize(manifest));
    }
}

using System.Text.Json.Serialization;

namespace Atlas.Pipeline.Specs;

/// <summary>Where the stages create their models and tensors.</summary>
[JsonConverter(typeof(SpecNameJsonConverter))]
public enum ComputeDevice
{
    /// <summary>The CPU (the default build's only device; the mini profile's results are recorded on it).</summary>
    Cpu,

    /// <summary>The first CUDA GPU (the paper's machines). Needs a build with <c>-p:TorchBackend=cuda</c> and a
    /// visible GPU; results are not bit-identical to the CPU's, so a switch reruns the stages.</summary>
    Cuda,
}

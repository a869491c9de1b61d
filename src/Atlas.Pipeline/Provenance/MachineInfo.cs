using System.Runtime.InteropServices;

namespace Atlas.Pipeline.Provenance;

/// <summary>Where a stage ran; results are bit-identical only on the same kind of machine and thread count.</summary>
/// <param name="HostName">Machine name.</param>
/// <param name="Os">Operating system description.</param>
/// <param name="Architecture">Process architecture, e.g. <c>X64</c>.</param>
/// <param name="ProcessorCount">Logical processors visible to the process.</param>
/// <param name="DotNet">.NET runtime description.</param>
public sealed record MachineInfo(string HostName, string Os, string Architecture, int ProcessorCount, string DotNet)
{
    /// <summary>This process's machine.</summary>
    public static MachineInfo Current() => new(
        Environment.MachineName,
        RuntimeInformation.OSDescription,
        RuntimeInformation.ProcessArchitecture.ToString(),
        Environment.ProcessorCount,
        RuntimeInformation.FrameworkDescription);
}

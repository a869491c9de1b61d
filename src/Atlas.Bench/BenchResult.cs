using System.Globalization;
using Atlas.Pipeline.Provenance;
using Atlas.Stages;

namespace Atlas.Bench;

/// <summary>Where the numbers were measured.</summary>
/// <param name="Machine">The machine as lock records describe it.</param>
/// <param name="Cpu">CPU model and memory.</param>
/// <param name="Packages">.NET, TorchSharp and libtorch versions, as lock records list them.</param>
/// <param name="PyTorch">The reference's torch version and BLAS, or why there is no reference.</param>
/// <param name="StartedUtc">When the run began.</param>
public sealed record BenchHeader(
    MachineInfo Machine, string Cpu, IReadOnlyDictionary<string, string> Packages, string PyTorch, DateTimeOffset StartedUtc)
{
    /// <summary>This machine and process, with the reference described by <paramref name="pyTorch"/>.</summary>
    public static BenchHeader Current(string pyTorch) =>
        new(MachineInfo.Current(), CpuAndMemory(), PackageVersions.Current, pyTorch, DateTimeOffset.UtcNow);

    private static string CpuAndMemory()
    {
        string? cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        string? memory = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
            : null;
        string memoryText = memory is null
            ? "memory unknown"
            : $"{long.Parse(memory.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0:F1} GiB";
        return $"{cpu ?? "CPU model unknown"}, {memoryText}";
    }
}

/// <summary>One operation measured by both sides.</summary>
/// <param name="Request">The operation.</param>
/// <param name="ProjectMs">This project's median step.</param>
/// <param name="PyTorchMs">PyTorch's median step; null without the reference.</param>
/// <param name="ProjectPeakRssMiB">The project process's peak resident memory (largest over rounds).</param>
/// <param name="TrainableParameters">Elements the step updates.</param>
public sealed record Comparison(StepRequest Request, double ProjectMs, double? PyTorchMs, double? ProjectPeakRssMiB, long TrainableParameters)
{
    /// <summary>Project time over PyTorch time: below 1, the project is faster.</summary>
    public double? Ratio => PyTorchMs is { } reference ? ProjectMs / reference : null;
}

/// <summary>Wall time of the whole mini reproduction (<c>./build.sh</c>), measured by the Cake Bench target.</summary>
/// <param name="ColdSeconds">From no artifacts (<c>--cold</c>); null when not measured.</param>
/// <param name="WarmSeconds">With every stage up to date: planning and verification only; null when not measured.</param>
public sealed record EndToEnd(double? ColdSeconds, double? WarmSeconds);

/// <summary>The PyTorch side of the comparison.</summary>
/// <param name="Description">Its torch version, BLAS and interpreter.</param>
/// <param name="PeakGflops">Its own matrix-product peak on the bench's threads.</param>
/// <param name="Measure">Times one request with it.</param>
/// <param name="Check">Recomputes the logits <see cref="ForwardCheck.Export"/> wrote into a folder.</param>
public sealed record PyTorchReference(
    string Description, double PeakGflops, Func<StepRequest, StepMeasurement> Measure, Func<string, ForwardAgreement> Check);

/// <summary>The ceiling of one [M, K]·[K, N] product of the tower's own shape, run alone.</summary>
public sealed record ShapedProduct(long M, long K, long N, double Gflops);

/// <summary>Everything one bench run measured.</summary>
/// <param name="PeakGflops">This project's matrix-product peak (libtorch through TorchSharp).</param>
/// <param name="PyTorchPeakGflops">The reference's own matrix-product peak on the same threads.</param>
/// <param name="Agreement">The reference's logits against the project's on the same weights and batch.</param>
/// <param name="WidestProduct">The tower's largest product alone: what its small shapes allow at best.</param>
public sealed record BenchResult(
    BenchHeader Header,
    string Size,
    int Batch,
    int Threads,
    int Rounds,
    int StepsPerMeasurement,
    double PeakGflops,
    double? PyTorchPeakGflops,
    ForwardAgreement? Agreement,
    ShapedProduct WidestProduct,
    double ForwardFlops,
    double TrainingStepFlops,
    IReadOnlyList<Comparison> Comparisons,
    IReadOnlyList<StepMeasurement> CompositionGrid,
    IReadOnlyList<StepMeasurement> SelectionPasses,
    StepMeasurement AugmentedFineTune,
    StageTiming? FineTuneStage,
    EndToEnd EndToEnd);

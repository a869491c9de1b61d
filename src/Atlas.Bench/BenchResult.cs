namespace Atlas.Bench;

/// <summary>Where the numbers were measured.</summary>
/// <param name="Machine">CPU model, logical cores and memory.</param>
/// <param name="Runtime">.NET version.</param>
/// <param name="TorchSharp">TorchSharp's version.</param>
/// <param name="PyTorch">The reference's torch version and BLAS, or why there is no reference.</param>
/// <param name="Started">When the run began (UTC, ISO 8601).</param>
public sealed record BenchHeader(string Machine, string Runtime, string TorchSharp, string PyTorch, string Started);

/// <summary>One operation measured by both sides.</summary>
/// <param name="Operation">Its label.</param>
/// <param name="ProjectMs">This project's median step.</param>
/// <param name="PyTorchMs">PyTorch's median step; null without the reference.</param>
/// <param name="ProjectPeakRssMiB">The project process's peak resident memory (largest over rounds).</param>
/// <param name="TrainableParameters">Elements the step updates.</param>
public sealed record Comparison(string Operation, double ProjectMs, double? PyTorchMs, double? ProjectPeakRssMiB, long TrainableParameters)
{
    /// <summary>Project time over PyTorch time: below 1, the project is faster.</summary>
    public double? Ratio => PyTorchMs is { } reference ? ProjectMs / reference : null;
}

/// <summary>Wall time of the whole mini reproduction (<c>./build.sh</c>), measured by the Cake Bench target.</summary>
/// <param name="ColdSeconds">From no artifacts (<c>--cold</c>); null when not measured.</param>
/// <param name="WarmSeconds">With every stage up to date: planning and verification only; null when not measured.</param>
public sealed record EndToEnd(double? ColdSeconds, double? WarmSeconds);

/// <summary>Everything one bench run measured.</summary>
/// <param name="PeakGflops">This project's matrix-product peak (libtorch through TorchSharp).</param>
/// <param name="PyTorchPeakGflops">The reference's own matrix-product peak on the same threads.</param>
public sealed record BenchResult(
    BenchHeader Header,
    string Size,
    int Batch,
    int Threads,
    int Rounds,
    int StepsPerMeasurement,
    double PeakGflops,
    double? PyTorchPeakGflops,
    double ForwardFlops,
    double TrainingStepFlops,
    IReadOnlyList<Comparison> Comparisons,
    IReadOnlyList<StepMeasurement> CompositionGrid,
    IReadOnlyList<StepMeasurement> SelectionPasses,
    StepMeasurement AugmentedFineTune,
    EndToEnd EndToEnd);

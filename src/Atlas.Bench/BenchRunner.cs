using Atlas.Training;

namespace Atlas.Bench;

/// <summary>
/// Runs the whole benchmark: the project against PyTorch, interleaved (project, PyTorch, project, …) operation by
/// operation; the composition grid over T and K; block selection's gradient pass; the augmented fine-tuning loop; the
/// matrix-product peaks. Every section runs <paramref name="rounds"/> interleaved rounds. Each step measurement comes
/// from <paramref name="project"/> or the <paramref name="reference"/> (in the CLI: one child process each, so every
/// peak memory is one method's).
/// </summary>
/// <param name="size">What to measure on.</param>
/// <param name="threads">libtorch intra-op threads on both sides.</param>
/// <param name="rounds">Rounds; each figure is the median over rounds of each round's median step.</param>
/// <param name="project">Measures a request with this project.</param>
/// <param name="reference">The PyTorch reference, or null where PyTorch is unavailable.</param>
/// <param name="log">Progress lines.</param>
public sealed class BenchRunner(
    BenchSize size, int threads, int rounds,
    Func<StepRequest, StepMeasurement> project, PyTorchReference? reference, TextWriter log)
{
    /// <summary>Measures everything; <paramref name="header"/> describes the machine and the packages, and
    /// <paramref name="fineTuneStage"/> and <paramref name="endToEnd"/> carry the pipeline's own timings (its lock
    /// record, and the Cake target's clock around the reproduction).</summary>
    public BenchResult Run(BenchHeader header, StageTiming? fineTuneStage, EndToEnd endToEnd)
    {
        if (rounds < 1) throw new ArgumentOutOfRangeException(nameof(rounds), rounds, "at least one round");
        log.WriteLine($"[bench] matrix-product peak ({size.MatmulSide}³, {threads} thread(s))");
        double peak = MatmulPeak.Measure(size.MatmulSide);
        var widest = TowerFlops.WidestProduct(size.Vision, size.Batch);
        double widestGflops = MatmulPeak.Measure(widest.M, widest.K, widest.N, repeats: 50);

        ForwardAgreement? agreement = null;
        if (reference is not null)
        {
            log.WriteLine("[bench] forward agreement with the reference");
            string exported = Path.Combine(Path.GetTempPath(), $"atlas-bench-{Guid.NewGuid():N}");
            try
            {
                ForwardCheck.Export(size, exported);
                agreement = reference.Check(exported);
            }
            finally
            {
                if (Directory.Exists(exported)) Directory.Delete(exported, recursive: true);
            }
        }

        StepRequest[] compared =
        [
            new(StepOperations.Forward), new(StepOperations.FineTune),
            new(StepOperations.Atlas, size.FullPool), new(StepOperations.Lora),
        ];
        var sides = reference is null ? [project] : new[] { project, reference.Measure };
        var ab = Rounds("against PyTorch", compared, sides);
        var comparisons = compared.Select(r =>
        {
            var mine = Summary(ab[0][r]);
            return new Comparison(r, mine.MedianMs, reference is null ? null : Summary(ab[1][r]).MedianMs, mine.PeakRssMiB,
                mine.TrainableParameters);
        }).ToList();

        var gridRequests = size.TaskCounts
            .SelectMany(tasks => new int?[] { null }.Concat(size.Partitions.Select(k => (int?)k)).Select(k => new StepRequest(StepOperations.Atlas, tasks, k)))
            .ToList();
        var grid = Rounds("composition grid", gridRequests, [project])[0];
        var selectionRequests = size.TaskCounts.Select(tasks => new StepRequest(StepOperations.Selection, tasks)).ToList();
        var selection = Rounds("block selection", selectionRequests, [project])[0];
        var augmentedRequest = new StepRequest(StepOperations.AugmentedFineTune);
        var augmented = Rounds("augmented fine-tuning", [augmentedRequest], [project])[0];

        double stepFlops = TowerFlops.TrainingStep(size.Vision, size.Classes, size.Batch);
        double forwardFlops = size.Batch * TowerFlops.ForwardPerImage(size.Vision, size.Classes);
        return new BenchResult(header, size.Name, size.Batch, threads, rounds, size.Steps, peak, reference?.PeakGflops, agreement,
            new ShapedProduct(widest.M, widest.K, widest.N, widestGflops), forwardFlops, stepFlops,
            comparisons, [.. gridRequests.Select(r => Summary(grid[r]))], [.. selectionRequests.Select(r => Summary(selection[r]))],
            Summary(augmented[augmentedRequest]), fineTuneStage, endToEnd);
    }

    // Every request once per round, in the same order each round and each side right after the other, so a slow spell
    // of a shared host spreads over all of them instead of landing on one.
    private Dictionary<StepRequest, List<StepMeasurement>>[] Rounds(
        string section, IReadOnlyList<StepRequest> requests, IReadOnlyList<Func<StepRequest, StepMeasurement>> sides)
    {
        var results = sides.Select(_ => requests.ToDictionary(r => r, _ => new List<StepMeasurement>())).ToArray();
        for (int round = 1; round <= rounds; round++)
        {
            foreach (var request in requests)
            {
                log.WriteLine($"[bench] {section}, round {round}/{rounds}: {request.Label}");
                for (int side = 0; side < sides.Count; side++) results[side][request].Add(sides[side](request));
            }
        }
        return results;
    }

    // A request over its rounds: the median of the rounds' medians, and the largest peak memory.
    private static StepMeasurement Summary(IReadOnlyList<StepMeasurement> rounds) =>
        rounds[0] with { MedianMs = Medians.Of(rounds.Select(m => m.MedianMs)), PeakRssMiB = rounds.Max(m => m.PeakRssMiB) };
}

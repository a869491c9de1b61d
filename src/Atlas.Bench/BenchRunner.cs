using Atlas.Training;

namespace Atlas.Bench;

/// <summary>
/// Runs the whole benchmark: the project against PyTorch, interleaved (project, PyTorch, project, …) operation by
/// operation for several rounds; the composition grid over T and K; block selection's gradient pass; the augmented
/// fine-tuning loop; the matrix-product peak. Each step measurement comes from <paramref name="project"/> or
/// <paramref name="pytorch"/> (in the CLI: one child process each, so every peak memory is one method's).
/// </summary>
/// <param name="size">What to measure on.</param>
/// <param name="threads">libtorch intra-op threads on both sides.</param>
/// <param name="rounds">A/B rounds; each operation's figure is the median over rounds of each round's median.</param>
/// <param name="project">Measures a request with this project.</param>
/// <param name="pytorch">Measures a request with the PyTorch reference, or null where PyTorch is unavailable.</param>
/// <param name="pytorchPeakGflops">The reference's own matrix-product peak, or null.</param>
/// <param name="log">Progress lines.</param>
public sealed class BenchRunner(
    BenchSize size, int threads, int rounds,
    Func<StepRequest, StepMeasurement> project, Func<StepRequest, StepMeasurement>? pytorch, double? pytorchPeakGflops, TextWriter log)
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

        StepRequest[] compared =
        [
            new(StepOperations.Forward), new(StepOperations.FineTune),
            new(StepOperations.Atlas, size.FullPool), new(StepOperations.Lora),
        ];
        var projectRounds = compared.ToDictionary(r => r, _ => new List<StepMeasurement>());
        var pytorchRounds = compared.ToDictionary(r => r, _ => new List<StepMeasurement>());
        for (int round = 1; round <= rounds; round++)
        {
            foreach (var request in compared)
            {
                log.WriteLine($"[bench] round {round}/{rounds}: {request.Label}");
                projectRounds[request].Add(project(request));
                if (pytorch is not null) pytorchRounds[request].Add(pytorch(request));
            }
        }
        var comparisons = compared.Select(r => new Comparison(
            r.Label,
            Medians.Of(projectRounds[r].Select(m => m.MedianMs)),
            pytorch is null ? null : Medians.Of(pytorchRounds[r].Select(m => m.MedianMs)),
            projectRounds[r].Max(m => m.PeakRssMiB),
            projectRounds[r][0].TrainableParameters)).ToList();

        var grid = new List<StepMeasurement>();
        foreach (int tasks in size.TaskCounts)
        {
            foreach (int? partitions in new int?[] { null }.Concat(size.Partitions.Select(k => (int?)k)))
            {
                var request = new StepRequest(StepOperations.Atlas, tasks, partitions);
                log.WriteLine($"[bench] composition grid: {request.Label}");
                grid.Add(project(request));
            }
        }
        var selection = new List<StepMeasurement>();
        foreach (int tasks in size.TaskCounts)
        {
            var request = new StepRequest(StepOperations.Selection, tasks);
            log.WriteLine($"[bench] {request.Label}");
            selection.Add(project(request));
        }
        log.WriteLine("[bench] fine-tuning with augmentation");
        var augmented = project(new StepRequest(StepOperations.AugmentedFineTune));

        double stepFlops = TowerFlops.TrainingStep(size.Vision, size.Classes, size.Batch);
        double forwardFlops = size.Batch * TowerFlops.ForwardPerImage(size.Vision, size.Classes);
        return new BenchResult(header, size.Name, size.Batch, threads, rounds, size.Steps, peak, pytorchPeakGflops,
            new ShapedProduct(widest.M, widest.K, widest.N, widestGflops), forwardFlops, stepFlops,
            comparisons, grid, selection, augmented, fineTuneStage, endToEnd);
    }
}

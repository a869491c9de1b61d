using System.Globalization;
using System.Text;
using System.Text.Json;
using Atlas.Store;

namespace Atlas.Bench;

/// <summary>Writes a <see cref="BenchResult"/> as <c>report.json</c> (every number) and <c>report.md</c> (for people).</summary>
public static class BenchReport
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Writes both files into <paramref name="directory"/> (created if needed), each atomically.</summary>
    public static void Write(BenchResult result, string directory)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.WriteJson(Path.Combine(directory, "report.json"), result, Json);
        AtomicFile.WriteAllText(Path.Combine(directory, "report.md"), Markdown(result));
    }

    /// <summary>The human-readable report.</summary>
    public static string Markdown(BenchResult r)
    {
        var md = new StringBuilder();
        var machine = r.Header.Machine;
        md.AppendLine("# Atlas.Repro benchmark").AppendLine();
        md.AppendLine($"- Machine: {machine.HostName}, {r.Header.Cpu}, {machine.ProcessorCount} logical cores, {machine.Os}, {machine.Architecture}");
        md.AppendLine($"- Threads: {r.Threads} libtorch intra-op thread(s) on both sides");
        md.AppendLine($"- Packages: {string.Join(", ", r.Header.Packages.Select(p => $"{p.Key} {p.Value}"))}; reference: {r.Header.PyTorch}");
        md.AppendLine($"- Size `{r.Size}`: batch {r.Batch}; every step figure is the median of {r.StepsPerMeasurement} timed steps " +
                      $"after warm-up, one process per measurement; A/B figures are medians over {r.Rounds} interleaved rounds");
        md.AppendLine($"- Started {r.Header.StartedUtc:yyyy-MM-dd HH:mm:ss} UTC").AppendLine();

        Section(md, "Against PyTorch", "The same tower, batch, head, loss, clipping and AdamW written directly in PyTorch " +
            "(`PyTorch/reference_steps.py`), run as project, PyTorch, project, … per operation.");
        Table(md, ["operation", "trainable", "project ms", "PyTorch ms", "project / PyTorch", "project peak RSS MiB"],
            r.Comparisons.Select(c => new[]
            {
                c.Request.Label, $"{c.TrainableParameters:N0}", F(c.ProjectMs), F(c.PyTorchMs), F(c.Ratio, "F3"), F(c.ProjectPeakRssMiB, "F0"),
            }));
        if (r.Agreement is { } agreement)
            md.AppendLine($"Both sides compute the same forward: on the same weights and batch the reference's {agreement.Logits} " +
                          $"logits differ from the project's by at most {agreement.MaxAbsDifference:E2} (largest |logit| " +
                          $"{agreement.MaxAbsLogit:F2}).").AppendLine();
        md.AppendLine(r.PyTorchPeakGflops is { } referencePeak
            ? $"Raw ratios compare two builds, not two frameworks: on the same thread count the reference's own matrix product " +
              $"peaks at {F(referencePeak, "F1")} GFLOP/s and the project's libtorch at {F(r.PeakGflops, "F1")} GFLOP/s. The " +
              "roofline below normalises each side by its own peak. No other machine was measured in this run."
            : "No PyTorch reference ran, so there are no ratios.").AppendLine();

        Section(md, "Roofline",
            $"Peaks (fastest of ten products): a {r.Threads}-thread float32 matrix product reaches {F(r.PeakGflops, "F1")} GFLOP/s " +
            $"through the project's libtorch and {F(r.PyTorchPeakGflops, "F1")} GFLOP/s through the reference. FLOPs count " +
            $"2·m·n·k per product: {r.ForwardFlops / 1e6:F1} MFLOP per forward batch, a training step 3× that. The tower's own " +
            $"largest product ({r.WidestProduct.M}×{r.WidestProduct.K} · {r.WidestProduct.K}×{r.WidestProduct.N}, c_fc), run alone, " +
            $"reaches {F(r.WidestProduct.Gflops, "F1")} GFLOP/s: at these shapes that, not the large product, is the ceiling a " +
            "step could approach.");
        double ceiling = r.WidestProduct.Gflops;
        var roofline = r.Comparisons.Select(c =>
        {
            double flops = c.Request.Operation == StepOperations.Forward ? r.ForwardFlops : r.TrainingStepFlops;
            double project = Gflops(flops, c.ProjectMs);
            double? reference = c.PyTorchMs is { } ms ? Gflops(flops, ms) : null;
            return new[]
            {
                c.Request.Label, $"{flops / 1e6:F1}", F(project, "F1"), F(project / r.PeakGflops, "P1"), F(project / ceiling, "P1"),
                F(reference, "F1"), F(reference / r.PyTorchPeakGflops, "P1"),
            };
        }).ToList();
        double augmented = Gflops(r.TrainingStepFlops, r.AugmentedFineTune.MedianMs);
        roofline.Add(["finetune with crop + flip batches", $"{r.TrainingStepFlops / 1e6:F1}", F(augmented, "F1"),
            F(augmented / r.PeakGflops, "P1"), F(augmented / ceiling, "P1"), "—", "—"]);
        if (r.FineTuneStage is { } stage)
        {
            double stageFlops = stage.Steps * TowerFlops.TrainingStep(stage.Vision, stage.Classes, stage.Batch);
            double stageGflops = stageFlops / stage.Seconds / 1e9;
            roofline.Add([$"whole stage `{stage.Stage}`: {stage.Steps} steps of {stage.Batch}, loading and saving included " +
                $"(ended {stage.EndedUtc:yyyy-MM-dd HH:mm} UTC)", $"{stageFlops / 1e6:F0}", F(stageGflops, "F1"),
                F(stageGflops / r.PeakGflops, "P1"), $"— (batch {stage.Batch})", "—", "—"]);
        }
        Table(md, ["step", "MFLOP", "project GFLOP/s", "project % of peak", "project % of c_fc ceiling", "PyTorch GFLOP/s", "PyTorch % of its peak"],
            roofline);

        var fineTune = r.Comparisons.First(c => c.Request.Operation == StepOperations.FineTune);
        Section(md, "Composition overhead", "aTLAS steps by pool size T and partitions K (blockwise: one coefficient per " +
            $"block), against full fine-tuning at {F(fineTune.ProjectMs)} ms and {F(fineTune.ProjectPeakRssMiB, "F0")} MiB.");
        Table(md, ["T", "K", "coefficients", "median ms", "× fine-tuning", "peak RSS MiB"],
            r.CompositionGrid.Select(m => new[]
            {
                m.Request.TaskCount.ToString(CultureInfo.InvariantCulture),
                m.Request.Partitions is { } k ? k.ToString(CultureInfo.InvariantCulture) : "blockwise",
                $"{m.TrainableParameters:N0}", F(m.MedianMs), F(m.MedianMs / fineTune.ProjectMs), F(m.PeakRssMiB, "F0"),
            }));

        Section(md, "Block selection", "The gradient pass that ranks blocks (one backward to Λ at Λ = 0 per batch, no " +
            "update), per batch, by pool size; learning Λ on the n selected vectors then costs the T = n row above.");
        Table(md, ["T", "ms per batch", "peak RSS MiB"], r.SelectionPasses.Select(m => new[]
        {
            m.Request.TaskCount.ToString(CultureInfo.InvariantCulture), F(m.MedianMs), F(m.PeakRssMiB, "F0"),
        }));

        Section(md, "End to end", "The whole mini reproduction (`./build.sh`), timed by the Cake Bench target around a child process.");
        Table(md, ["run", "wall time"],
        [
            ["cold (no artifacts)", Duration(r.EndToEnd.ColdSeconds, "not measured (run with --cold)")],
            ["warm (every stage up to date)", Duration(r.EndToEnd.WarmSeconds, "not measured")],
        ]);

        Section(md, "Peak memory per method", "Each method's own process, from its start to the end of its steps.");
        var memory = new List<string[]>
        {
            new[] { "full fine-tuning", F(fineTune.ProjectPeakRssMiB, "F0") },
            new[] { "LoRA", F(r.Comparisons.First(c => c.Request.Operation == StepOperations.Lora).ProjectPeakRssMiB, "F0") },
        };
        memory.AddRange(r.CompositionGrid.Where(m => m.Request.Partitions is null)
            .Select(m => new[] { $"aTLAS, {m.Request.TaskCount} task vector(s)", F(m.PeakRssMiB, "F0") }));
        Table(md, ["method", "peak RSS MiB"], memory);
        return md.ToString();
    }

    private static void Section(StringBuilder md, string title, string introduction) =>
        md.AppendLine($"## {title}").AppendLine().AppendLine(introduction).AppendLine();

    // The first column holds labels; the others hold numbers and are right-aligned.
    private static void Table(StringBuilder md, IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<string>> rows)
    {
        md.AppendLine($"| {string.Join(" | ", columns)} |");
        md.AppendLine("|---|" + string.Concat(columns.Skip(1).Select(_ => "---:|")));
        foreach (var row in rows) md.AppendLine($"| {string.Join(" | ", row)} |");
        md.AppendLine();
    }

    private static string Duration(double? seconds, string missing) =>
        seconds is { } s ? TimeSpan.FromSeconds(s).ToString(@"m\:ss\.f", CultureInfo.InvariantCulture) : missing;

    private static double Gflops(double flops, double ms) => flops / (ms / 1000) / 1e9;

    private static string F(double? value, string format = "F2") =>
        value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "—";
}

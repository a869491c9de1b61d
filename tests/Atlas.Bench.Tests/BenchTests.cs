using System.Text.Json;
using Atlas.Bench;
using Atlas.Method.Lora;
using Atlas.Models;

namespace Atlas.Bench.Tests;

/// <summary>The bench runs end to end at the tiny size; its numbers are not checked (benchmarks are not timed tests),
/// only that every measurement exists and the report carries it.</summary>
public sealed class BenchTests
{
    private static readonly BenchSize Tiny = BenchSize.Tiny;

    [Fact]
    public void Tower_flops_count_every_matrix_product_of_the_mini_tower()
    {
        // 16 patches of 7×7 into width 64; per layer with 17 tokens: q/k/v, QKᵀ and AV, out_proj, c_fc and c_proj.
        double patches = 2.0 * 16 * 49 * 64;
        double layer = 2.0 * 17 * 64 * 192 + 4.0 * 17 * 17 * 64 + 2.0 * 17 * 64 * 64 + 4.0 * 17 * 64 * 256;
        double expected = patches + 3 * layer + 2.0 * 64 * 64 + 2.0 * 64 * 10;
        Assert.Equal(expected, TowerFlops.ForwardPerImage(ClipConfig.Mini.Vision, classes: 10));
        Assert.Equal(3 * 32 * expected, TowerFlops.TrainingStep(ClipConfig.Mini.Vision, classes: 10, batch: 32));
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)] // times every benchmarked operation
    public void Every_operation_measures_a_step_and_counts_what_it_trains()
    {
        var visual = ClipInitializer.Initialize(StepBenchmark.ConfigFor(Tiny), 1)
            .Where(p => p.Key.StartsWith(ClipParameterNames.VisualPrefix, StringComparison.Ordinal))
            .ToDictionary(p => p.Key, p => p.Value);
        long blocks = visual.Count, elements = visual.Values.Sum(t => t.numel());
        var expected = new Dictionary<StepRequest, long>
        {
            [new(StepOperations.Forward)] = 0,
            [new(StepOperations.FineTune)] = elements,
            [new(StepOperations.AugmentedFineTune)] = elements,
            [new(StepOperations.Lora)] = LoraAdapters.ParameterCount(visual, Tiny.LoraRank),
            [new(StepOperations.Atlas, 2)] = 2 * blocks,
            [new(StepOperations.Atlas, 2, 3)] = 2 * blocks * 3,
            [new(StepOperations.Selection, 2)] = 2 * blocks,
        };
        foreach (var (request, trainable) in expected)
        {
            var measurement = StepBenchmark.Run(Tiny, request);
            Assert.True(measurement.MedianMs > 0 && double.IsFinite(measurement.MedianMs), request.Label);
            Assert.Equal(trainable, measurement.TrainableParameters);
            Assert.Equal(Tiny.Steps, measurement.Steps);
            if (OperatingSystem.IsLinux()) Assert.True(measurement.PeakRssMiB > 0, request.Label);
        }
    }

    [Fact]
    public void Unknown_operations_are_refused_by_name()
    {
        var error = Assert.Throws<ArgumentException>(() => StepBenchmark.Run(Tiny, new StepRequest("fowrard")));
        Assert.Contains("fowrard", error.Message);
        Assert.Contains(StepOperations.Forward, error.Message);
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)] // runs the whole tiny benchmark
    public void The_runner_interleaves_both_sides_and_the_report_holds_every_measurement()
    {
        var calls = new List<string>();
        StepMeasurement Project(StepRequest r) { calls.Add("project " + r.Label); return StepBenchmark.Run(Tiny, r); }
        StepMeasurement Reference(StepRequest r) { calls.Add("pytorch " + r.Label); return new StepMeasurement(r, 2.0, Tiny.Steps, 0, null); }
        ForwardAgreement Agreement(string exported)
        {
            // The export names every tower weight plus images, head and the project's logits.
            using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(exported, "manifest.json")));
            var names = manifest.RootElement.EnumerateObject().Select(p => p.Name).ToList();
            Assert.Contains("logits", names);
            Assert.Contains("visual.conv1.weight", names);
            var logits = manifest.RootElement.GetProperty("logits");
            long count = logits.GetProperty("shape").EnumerateArray().Aggregate(1L, (a, d) => a * d.GetInt64());
            Assert.Equal(4 * count, new FileInfo(Path.Combine(exported, logits.GetProperty("file").GetString()!)).Length);
            return new ForwardAgreement(1e-6, 10, count);
        }
        var header = BenchHeader.Current("stub reference");
        var stage = new StageTiming("finetune/test", 2.0, 10, 8, 3, Tiny.Vision, DateTimeOffset.UnixEpoch);
        var result = new BenchRunner(Tiny, threads: 1, rounds: 2, Project, new PyTorchReference("stub", 1.0, Reference, Agreement), TextWriter.Null)
            .Run(header, stage, new EndToEnd(null, 12.5));

        // A/B: each compared operation alternates project, PyTorch within a round, and rounds repeat the sequence.
        var compared = calls.Take(16).ToList();
        Assert.Equal(["project forward", "pytorch forward", "project finetune", "pytorch finetune"], compared.Take(4));
        Assert.Equal(compared.Take(8), compared.Skip(8).Take(8));
        Assert.All(result.Comparisons, c => Assert.Equal(2.0, c.PyTorchMs));
        Assert.Equal(Tiny.TaskCounts.Count * (1 + Tiny.Partitions.Count), result.CompositionGrid.Count);
        Assert.Equal(Tiny.TaskCounts.Count, result.SelectionPasses.Count);

        string directory = Path.Combine(Path.GetTempPath(), $"atlas-bench-{Guid.NewGuid():N}");
        try
        {
            BenchReport.Write(result, directory);
            string markdown = File.ReadAllText(Path.Combine(directory, "report.md"));
            foreach (string section in new[] { "## Against PyTorch", "## Roofline", "## Composition overhead", "## Block selection", "## End to end", "## Peak memory per method" })
                Assert.Contains(section, markdown);
            Assert.Contains(header.Machine.HostName, markdown);
            Assert.Contains("whole stage `finetune/test`: 10 steps of 8", markdown);
            Assert.Contains($"reference's {Tiny.Batch * Tiny.Classes} logits differ from the project's by at most 1.00E-006", markdown);
            Assert.Contains("| warm (every stage up to date) | 0:12.5 |", markdown);
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "report.json")));
            Assert.Equal(4, json.RootElement.GetProperty("comparisons").GetArrayLength());
            Assert.Equal(result.PeakGflops, json.RootElement.GetProperty("peak_gflops").GetDouble());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

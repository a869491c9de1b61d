using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Atlas.Stages.Tests.Support;
using Xunit.Abstractions;

namespace Atlas.Stages.Tests;

/// <summary>
/// The micro experiment run the way the Cake build runs it (one <c>atlas run --spec … --stage X</c> child process per
/// stage, in topological order), each child killed with SIGKILL at points drawn from a seeded RNG uniformly over the
/// run, every kill followed by a resume of the remaining graph; the verified tables end byte-identical to the
/// uninterrupted run of <see cref="MicroPipeline"/>, and <c>atlas plan</c> reports every stage up to date.
/// </summary>
[Collection(MicroPipelineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Slow)] // runs the micro pipeline through the CLI, ~20 times interrupted
public sealed class KillResumeTests(MicroPipeline pipeline, ITestOutputHelper output)
{
    /// <summary>How many kills are drawn, and the seed they are drawn from.</summary>
    private const int KillPoints = 20, Seed = 14;

    [Fact]
    public void Killed_at_random_points_and_resumed_the_run_ends_with_byte_identical_tables()
    {
        var watch = Stopwatch.StartNew();
        using var repository = new TempRepository();
        List<string> order;
        IReadOnlyList<string> costTables;
        using (var session = repository.Open())
        {
            order = session.Graph.TopologicalOrder().Select(node => node.Id).ToList();
            costTables = ReportStage.CostTableNames(session.Context.Spec);
        }

        // The run's length, estimated from the reference run's stage durations plus one process start per stage (timed
        // on a plan call); the kills are drawn uniformly over it, in cumulative time spent in the children.
        var plan = Child(repository, TimeSpan.MaxValue, "plan", "--spec", TempRepository.SpecFile, "--json");
        Assert.True(plan.ExitCode == 0, plan.Output);
        double runSeconds = order.Sum(id => ReferenceSeconds(id) + plan.Seconds);
        var random = new Random(Seed);
        var killTimes = Enumerable.Range(0, KillPoints).Select(_ => random.NextDouble() * runSeconds).Order().ToList();

        var landings = new List<string>();
        double clock = 0;
        int next = 0, kills = 0;
        while (next < order.Count)
        {
            var stage = order[next];
            var killAfter = kills < killTimes.Count ? TimeSpan.FromSeconds(Math.Max(0, killTimes[kills] - clock)) : TimeSpan.MaxValue;
            var child = Child(repository, killAfter, "run", "--spec", TempRepository.SpecFile, "--stage", stage);
            clock += child.Seconds;
            if (child.Killed)
            {
                kills++;
                landings.Add(Landing(stage, child.Output));
                continue; // resume: the same stage again, then the rest of the graph
            }
            Assert.True(child.ExitCode == 0, $"{stage}: {child.Output}");
            next++;
        }

        var tablesDir = Path.Combine(repository.ArtifactsDir, MicroSpec.Name, "tables");
        var referenceDir = Path.Combine(pipeline.Repository.ArtifactsDir, MicroSpec.Name, "tables");
        // Measured-cost tables hold wall times (written and reported, never verified), so they are not compared.
        var tables = Directory.GetFiles(referenceDir, "*.csv").Select(Path.GetFileName)
            .Where(f => !costTables.Contains(Path.GetFileNameWithoutExtension(f)!)).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(tables);
        Assert.Equal(
            Directory.GetFiles(tablesDir, "*.csv").Select(Path.GetFileName).Where(f => !costTables.Contains(Path.GetFileNameWithoutExtension(f)!)).Order(StringComparer.Ordinal),
            tables);
        foreach (var table in tables)
            Assert.True(File.ReadAllBytes(Path.Combine(referenceDir, table!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(tablesDir, table!))),
                $"{table} differs from the uninterrupted run's");

        var final = Child(repository, TimeSpan.MaxValue, "plan", "--spec", TempRepository.SpecFile, "--json");
        Assert.True(final.ExitCode == 0, final.Output);
        using var json = JsonDocument.Parse(final.Output[final.Output.IndexOf('[')..]);
        var stale = json.RootElement.EnumerateArray().Where(s => !s.GetProperty("upToDate").GetBoolean()).Select(s => s.GetProperty("id").GetString()).ToList();
        Assert.Empty(stale);
        Assert.Empty(Directory.GetDirectories(repository.ArtifactsDir, StageOutputBackup.FolderName, SearchOption.AllDirectories));

        int midStage = landings.Count(l => l.StartsWith("mid-stage", StringComparison.Ordinal));
        output.WriteLine($"kill points drawn {KillPoints} (seed {Seed}) over an estimated {runSeconds:F0} s; kills made {kills}; " +
                         $"mid-stage {midStage}; tables compared {tables.Count}; wall {watch.Elapsed.TotalSeconds:F0} s");
        foreach (var landing in landings) output.WriteLine(landing);
        Assert.Equal(KillPoints, kills);
    }

    /// <summary>Where a kill landed in <paramref name="stage"/>'s child, from what it printed.</summary>
    private static string Landing(string stage, string printed) =>
        !printed.Contains($"[{stage}] running", StringComparison.Ordinal)
            ? printed.Contains($"[{stage}] up to date", StringComparison.Ordinal) ? $"after the up-to-date check: {stage}" : $"before the stage started: {stage}"
            : printed.Contains($"[{stage}] done in", StringComparison.Ordinal) ? $"after the lock was written: {stage}" : $"mid-stage: {stage}";

    private double ReferenceSeconds(string stageId) =>
        Atlas.Pipeline.Provenance.LockStore.Read(Path.Combine(pipeline.Repository.ArtifactsDir, MicroSpec.Name, stageId)).Record?.DurationSeconds ?? 0;

    private sealed record ChildRun(int ExitCode, string Output, double Seconds, bool Killed);

    /// <summary>Runs the built <c>atlas</c> in <paramref name="repository"/>'s root; kills it (SIGKILL, whole tree) once
    /// it has run <paramref name="killAfter"/>.</summary>
    private static ChildRun Child(TempRepository repository, TimeSpan killAfter, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(AtlasDll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        var printed = new StringBuilder();
        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (printed) printed.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (printed) printed.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var limit = TimeSpan.FromMinutes(2);
        bool killed = false;
        if (!process.WaitForExit(killAfter < limit ? killAfter : limit))
        {
            try
            {
                process.Kill(entireProcessTree: true);
                killed = true;
            }
            catch (InvalidOperationException)
            {
                // It exited on its own in the meantime.
            }
            Assert.True(killAfter < limit, $"atlas {string.Join(' ', args)} ran longer than {limit}");
        }
        process.WaitForExit();
        lock (printed) return new ChildRun(killed ? -9 : process.ExitCode, printed.ToString(), watch.Elapsed.TotalSeconds, killed);
    }

    /// <summary>atlas.dll: src/Atlas.Cli/bin/… with the same bin/configuration/framework/runtime tail as this assembly.</summary>
    private static string AtlasDll { get; } = Path.Combine(RepositoryRoot.Path, "src", "Atlas.Cli",
        Path.GetRelativePath(Path.Combine(RepositoryRoot.Path, "tests", "Atlas.Stages.Tests"), AppContext.BaseDirectory), "atlas.dll");
}

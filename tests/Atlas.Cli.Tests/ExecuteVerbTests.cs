using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Atlas.Cli.Tests;

/// <summary>
/// <c>atlas execute</c> on the tests' micro experiment (its foundation, addition and negation stages): two stages at a
/// time in two worker processes, interrupted by SIGTERM while stages run (what <c>kill</c> and schedulers send; Ctrl-C's
/// SIGINT takes the same path, but a process a non-interactive shell starts in the background inherits SIGINT ignored,
/// so the test cannot rely on it), resumed, and compared with the sequential path, one <c>atlas run</c> process per
/// stage: every stage output and every verified table must be byte-identical, since a worker runs each stage exactly
/// as a process of its own does.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Slow)] // runs 20 micro stages twice: in workers, and one process each
public sealed class ExecuteVerbTests : IDisposable
{
    private readonly TempDirectory parallel = new();
    private readonly TempDirectory sequential = new();

    public ExecuteVerbTests()
    {
        var micro = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "tests", "Atlas.Stages.Tests", "Specs", "micro.yaml"))
            .Replace("{{DATA_ROOT}}", RepositoryRoot.MiniData.Replace('\\', '/'), StringComparison.Ordinal);
        // The foundation, task addition and negation: 20 stages, enough for side-by-side runs at every level of the
        // graph, without the long few-shot, test-time, selection and PEFT stages.
        micro = micro[..micro.IndexOf("\nfew_shot:", StringComparison.Ordinal)];
        File.WriteAllText(parallel.File("micro.yaml"), micro);
        File.WriteAllText(sequential.File("micro.yaml"), micro);
    }

    public void Dispose()
    {
        parallel.Dispose();
        sequential.Dispose();
    }

    [LinuxFact]
    public void Parallel_run_interrupted_resumes_and_matches_a_sequential_run_byte_for_byte()
    {
        // Interrupt once several stages have finished and two are running.
        var (interruptedExit, interruptedOut) = RunUntil(parallel.Path, line => line.StartsWith("✓ finetune/", StringComparison.Ordinal),
            "execute", "--spec", "micro.yaml", "--jobs", "2");
        Assert.True(interruptedExit == 130, interruptedOut);
        Assert.Contains("interrupted: every running stage was stopped", interruptedOut);
        Assert.Contains("■ ", interruptedOut); // a running stage was stopped
        Assert.Empty(ProcessesIn(parallel.Path));

        var resumed = Run(parallel.Path, "execute", "--spec", "micro.yaml", "--jobs", "2");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        int total = int.Parse(resumed.Out.Split(" of ")[1].Split(' ')[0]);
        int left = int.Parse(resumed.Out.Split(" of ")[0]);
        Assert.True(left < total, $"the resumed run ran everything again:\n{resumed.Out}");
        Assert.Contains("0 failed", resumed.Out);

        // The reference: the sequential Cake path (--jobs=1), one `atlas run` process per stage in graph order.
        var plan = Run(sequential.Path, "plan", "--spec", "micro.yaml", "--json");
        Assert.True(plan.ExitCode == 0, plan.ToString());
        var stageIds = JsonNode.Parse(plan.Out)!.AsArray().Select(entry => entry!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(total, stageIds.Count);
        foreach (var id in stageIds)
        {
            var alone = Run(sequential.Path, "run", "--spec", "micro.yaml", "--stage", id);
            Assert.True(alone.ExitCode == 0, alone.ToString());
        }

        var parallelOutputs = Outputs(parallel.Path);
        var sequentialOutputs = Outputs(sequential.Path);
        Assert.Equal(sequentialOutputs.Keys.Order(), parallelOutputs.Keys.Order());
        // report.md quotes each stage's times (its provenance table); every other output must match.
        var differing = sequentialOutputs.Where(o => parallelOutputs[o.Key] != o.Value).Select(o => o.Key).ToList();
        Assert.True(differing.All(path => path.EndsWith("/report.md", StringComparison.Ordinal)), $"outputs differ: {string.Join(", ", differing)}");
        foreach (var table in Directory.GetFiles(sequential.File("artifacts/micro/tables"), "*.csv").Where(t => !t.Contains("_cost")))
            Assert.Equal(File.ReadAllBytes(table), File.ReadAllBytes(parallel.File(Path.Combine("artifacts/micro/tables", Path.GetFileName(table)))));
        Assert.True(File.Exists(parallel.File("artifacts/micro/logs/finetune/mnist.log")));
    }

    /// <summary>Every stage output's recorded hash, by path, from the lock records.</summary>
    private static Dictionary<string, string> Outputs(string root) =>
        Directory.EnumerateFiles(Path.Combine(root, "artifacts", "micro"), "lock.json", SearchOption.AllDirectories)
            .SelectMany(file => JsonNode.Parse(File.ReadAllText(file))!["outputs"]!.AsObject())
            .ToDictionary(o => o.Key, o => o.Value!["sha256"]!.GetValue<string>());

    private static AtlasResult Run(string folder, params string[] args)
    {
        using var process = Start(folder, args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(15)), $"atlas {string.Join(' ', args)} did not finish");
        return new AtlasResult(process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Runs until a stdout line satisfies <paramref name="interruptAfter"/>, then sends SIGTERM and waits.</summary>
    private static (int ExitCode, string Output) RunUntil(string folder, Func<string, bool> interruptAfter, params string[] args)
    {
        using var process = Start(folder, args);
        var text = new StringBuilder();
        bool sent = false;
        var outputDone = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) { outputDone.TrySetResult(); return; }
            lock (text) text.AppendLine(e.Data);
            if (!sent && interruptAfter(e.Data))
            {
                sent = true;
                using var kill = Process.Start("kill", ["-TERM", process.Id.ToString()]);
                kill.WaitForExit();
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (text) text.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(15)), "the interrupted run did not stop");
        outputDone.Task.Wait(TimeSpan.FromSeconds(30));
        Assert.True(sent, $"the run ended before the interrupt point:\n{text}");
        return (process.ExitCode, text.ToString());
    }

    private static Process Start(string folder, string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["exec", AtlasProcess.Dll, .. args]) start.ArgumentList.Add(arg);
        return Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
    }

    /// <summary>Live processes working in <paramref name="folder"/> (the stage processes of a run there).</summary>
    private static List<int> ProcessesIn(string folder) =>
    [
        .. Directory.EnumerateDirectories("/proc").Select(d => Path.GetFileName(d)).Where(n => n.All(char.IsDigit)).Select(int.Parse).Where(pid =>
        {
            try
            {
                return Directory.ResolveLinkTarget($"/proc/{pid}/cwd", returnFinalTarget: false)?.FullName == Path.GetFullPath(folder);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false; // gone meanwhile, or not ours to read
            }
        }),
    ];
}

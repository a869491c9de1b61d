using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Atlas.Bench;

/// <summary>
/// Step measurements in child processes, one per measurement, so each peak resident memory is one method's and neither
/// side's allocator state leaks into the other's timings: this project's own CLI (<c>bench-step</c>) and the PyTorch
/// reference script.
/// </summary>
public static class ChildProcesses
{
    /// <summary>JSON of a <see cref="StepMeasurement"/> as <c>bench-step</c> prints it.</summary>
    public static JsonSerializerOptions Json { get; } = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The arguments of the project's CLI that measure <paramref name="request"/>.</summary>
    public static IReadOnlyList<string> StepArguments(BenchSize size, int threads, StepRequest request)
    {
        var arguments = new List<string> { "bench-step", "--size", size.Name, "--threads", Invariant(threads), "--op", request.Operation };
        if (request.TaskCount > 0) arguments.AddRange(["--tasks", Invariant(request.TaskCount)]);
        if (request.Partitions is { } k) arguments.AddRange(["--partitions", Invariant(k)]);
        return arguments;
    }

    /// <summary>Measures with this project: <paramref name="executable"/> is the <c>atlas</c> CLI.</summary>
    public static Func<StepRequest, StepMeasurement> Project(string executable, BenchSize size, int threads) => request =>
        JsonSerializer.Deserialize<StepMeasurement>(LastLine(Run(executable, StepArguments(size, threads, request))), Json)
        ?? throw new InvalidDataException($"bench-step printed no measurement for {request.Label}");

    /// <summary>The PyTorch reference behind <paramref name="python"/> running <paramref name="script"/>, with its own
    /// matrix-product peak measured once; null where that python cannot run the script (no torch).</summary>
    public static PyTorchReference? PyTorch(string python, string script, BenchSize size, int threads)
    {
        JsonElement peak;
        try
        {
            using var output = JsonDocument.Parse(LastLine(Run(python,
                [script, "--op", "matmul", "--matmul-side", Invariant(size.MatmulSide), "--threads", Invariant(threads)])));
            peak = output.RootElement.Clone();
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
        // The script's description of the tower, batch and step, as this size has them.
        List<string> Arguments(string operation, int tasks)
        {
            var v = size.Vision;
            var arguments = new List<string> { script, "--op", operation };
            foreach (var (name, value) in new (string, int)[]
            {
                ("image", v.ImageSize), ("channels", v.Channels), ("patch", v.PatchSize), ("width", v.Width), ("layers", v.Layers),
                ("heads", v.Heads), ("mlp-ratio", v.MlpRatio), ("embed", v.EmbedDim), ("batch", size.Batch), ("classes", size.Classes),
                ("tasks", Math.Max(1, tasks)), ("rank", size.LoraRank), ("threads", threads), ("steps", size.Steps), ("warmup", size.Warmup),
            })
                arguments.AddRange(["--" + name, Invariant(value)]);
            arguments.AddRange(["--alpha", Invariant(2 * size.LoraRank)]);
            return arguments;
        }
        return new PyTorchReference(
            $"PyTorch {peak.GetProperty("torch").GetString()} (BLAS: {peak.GetProperty("blas").GetString()}) via {python}",
            peak.GetProperty("gflops").GetDouble(),
            request =>
            {
                using var output = JsonDocument.Parse(LastLine(Run(python, Arguments(request.Operation, request.TaskCount))));
                return new StepMeasurement(request, output.RootElement.GetProperty("median_ms").GetDouble(), size.Steps, 0, null);
            },
            exported =>
            {
                using var output = JsonDocument.Parse(LastLine(Run(python, [.. Arguments("check", 0), "--exported", exported])));
                var root = output.RootElement;
                return new ForwardAgreement(root.GetProperty("max_abs_difference").GetDouble(),
                    root.GetProperty("max_abs_logit").GetDouble(), root.GetProperty("logits").GetInt64());
            });
    }

    private static string Run(string executable, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"{executable} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}: {error.Result.Trim()}");
        return output;
    }

    private static string LastLine(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault()
        ?? throw new InvalidDataException("the child process printed nothing");

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}

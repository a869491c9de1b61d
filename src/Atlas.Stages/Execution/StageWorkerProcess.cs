using System.Diagnostics;
using System.Threading.Channels;

namespace Atlas.Stages.Execution;

/// <summary>
/// The executor's side of one <c>atlas worker</c> process (<see cref="StageWorker"/>): sends it a stage, relays the
/// stage's lines until the worker reports the stage's exit code, and can be given the next stage. A worker that died
/// mid-stage (killed, out of memory) reports its process exit code instead.
/// </summary>
public sealed class StageWorkerProcess : IDisposable
{
    private readonly Process process;
    // Standard output and standard error, line by line, in arrival order; completed when standard output closes.
    private readonly Channel<string> lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    private StageWorkerProcess(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) lines.Writer.TryComplete();
            else lines.Writer.TryWrite(e.Data);
        };
        // The worker writes the stages' standard error to its standard output; what still arrives here is native
        // (libtorch's warnings), relayed with whichever stage is running.
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lines.Writer.TryWrite(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Starts <c>atlas worker</c>.</summary>
    /// <param name="atlasCommand">The CLI's executable and leading arguments (see <see cref="LocalExecutionOptions.AtlasCommand"/>).</param>
    /// <param name="arguments">The worker's own arguments: <c>worker --spec …</c>, and <c>--force</c>.</param>
    /// <param name="environment">Variables added to this process's environment.</param>
    public static StageWorkerProcess Start(IReadOnlyList<string> atlasCommand, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(atlasCommand[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in atlasCommand.Skip(1).Concat(arguments)) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {atlasCommand[0]}");
        return new StageWorkerProcess(process);
    }

    /// <summary>The worker can take another stage: it has not exited.</summary>
    public bool IsAlive => !process.HasExited;

    /// <summary>Runs <paramref name="stageId"/> in the worker, passing each line it prints to <paramref name="relay"/>.</summary>
    /// <returns>The stage's exit code, as <c>atlas run</c> would have exited.</returns>
    /// <exception cref="OperationCanceledException">Cancelled: the worker and everything it started were killed.</exception>
    public async Task<int> RunAsync(string stageId, Action<string> relay, CancellationToken cancel)
    {
        try
        {
            await process.StandardInput.WriteLineAsync(stageId.AsMemory(), cancel).ConfigureAwait(false);
            await process.StandardInput.FlushAsync(cancel).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The worker exited while idle (its end of the pipe is closed): reported below as a death, with its exit code.
        }
        try
        {
            await foreach (var line in lines.Reader.ReadAllAsync(cancel).ConfigureAwait(false))
            {
                if (StageWorker.TryParseDone(line, out int exitCode)) return exitCode;
                relay(line);
            }
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw;
        }
        // The worker's output ended before the stage did: it died. Its exit code says how.
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        return process.ExitCode == 0 ? StageWorker.UnhandledExitCode : process.ExitCode;
    }

    /// <summary>Kills the worker and every process it started, and waits for it.</summary>
    public void Kill()
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // exited meanwhile
        }
        process.WaitForExit();
    }

    /// <summary>Closes the worker's input, which ends it after its current stage, and waits for it; a worker that does
    /// not end within <paramref name="grace"/> is killed.</summary>
    public void Stop(TimeSpan grace)
    {
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // its end of the pipe is gone: it has exited
        }
        if (!process.WaitForExit(grace)) Kill();
    }

    public void Dispose()
    {
        if (IsAlive) Stop(TimeSpan.FromSeconds(10));
        process.Dispose();
    }
}

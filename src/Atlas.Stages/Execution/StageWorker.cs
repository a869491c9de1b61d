using System.Globalization;

namespace Atlas.Stages.Execution;

/// <summary>
/// The loop of <c>atlas worker</c>: a process that runs the stages a local executor sends it, one after another, so that
/// libtorch is loaded and the code compiled once per worker instead of once per stage (1.5–1.7 s of a stage process's
/// start, about 45% of it loading libtorch: docs/notes/stage-speed.md). Each stage still runs as <c>atlas run</c> does:
/// a fresh session opened from the spec, its own thread count, a seed derived from its id, no global random state
/// (every draw takes its own generator), hence the same bytes as in a process of its own.
/// </summary>
/// <remarks>
/// Protocol: the executor writes one stage id per line on standard input; the worker runs it, writing what the stage
/// prints (standard error included, so that one ordered stream belongs to one stage) and then
/// <see cref="DoneLine"/>. End of input ends the worker. After a stage that did not succeed the worker exits: a failure
/// may leave any state behind, so the next stage gets a fresh process.
/// </remarks>
public static class StageWorker
{
    private const string DonePrefix = "[atlas worker] stage finished, exit code ";

    /// <summary>Exit code reported for a stage that threw what the CLI's verbs do not catch (as the runtime's own
    /// unhandled-exception abort would end an <c>atlas run</c> process: 128 + SIGABRT).</summary>
    public const int UnhandledExitCode = 134;

    /// <summary>The line that ends a stage's output: its exit code, as <c>atlas run</c> would have exited.</summary>
    public static string DoneLine(int exitCode) => DonePrefix + exitCode.ToString(CultureInfo.InvariantCulture);

    /// <summary>The exit code in <paramref name="line"/> if it is a <see cref="DoneLine"/>.</summary>
    public static bool TryParseDone(string line, out int exitCode)
    {
        exitCode = 0;
        return line.StartsWith(DonePrefix, StringComparison.Ordinal)
               && int.TryParse(line.AsSpan(DonePrefix.Length), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exitCode);
    }

    /// <summary>Runs each stage id read from <paramref name="requests"/> with <paramref name="runStage"/> (which returns
    /// <c>atlas run</c>'s exit code) until the input ends or a stage fails.</summary>
    /// <returns>0 when the input ended, else the failed stage's exit code.</returns>
    public static int Serve(TextReader requests, TextWriter output, Func<string, int> runStage)
    {
        for (string? line; (line = requests.ReadLine()) is not null;)
        {
            string stageId = line.Trim();
            if (stageId.Length == 0) continue;
            int exitCode;
            try
            {
                exitCode = runStage(stageId);
            }
            catch (Exception e)
            {
                output.WriteLine($"Unhandled exception. {e}");
                exitCode = UnhandledExitCode;
            }
            output.WriteLine(DoneLine(exitCode));
            output.Flush();
            if (exitCode != 0) return exitCode;
        }
        return 0;
    }
}

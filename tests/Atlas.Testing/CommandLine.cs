using System.Diagnostics;

namespace Atlas.Testing;

/// <summary>What a finished command printed and returned.</summary>
public sealed record CommandResult(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Throws, quoting the command and its error output, unless it exited 0; returns its standard output.</summary>
    public string OutputOrThrow() =>
        Succeeded ? StandardOutput : throw new InvalidOperationException($"`{Command}` exited {ExitCode}: {StandardError.Trim()} {StandardOutput.Trim()}");
}

/// <summary>Runs a program to its end with extra environment variables and a time limit (tests' helper).</summary>
public static class CommandLine
{
    /// <summary>
    /// Runs <paramref name="program"/> (no shell) and waits for it; on timeout it is killed and the result has exit code
    /// 124 (as coreutils' timeout). A program that cannot be found gives exit code 127 and the reason as its error output.
    /// </summary>
    public static CommandResult Run(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null,
        TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        string shown = string.Join(' ', start.ArgumentList.Prepend(program));
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new CommandResult(shown, 127, "", $"{program}: {e.Message}");
        }
        using (process)
        {
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(1)))
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                }
                process.WaitForExit();
                return new CommandResult(shown, 124, Collect(output), $"timed out after {timeout}; {Collect(error)}");
            }
            process.WaitForExit();
            return new CommandResult(shown, process.ExitCode, Collect(output), Collect(error));
        }
    }

    /// <summary>
    /// What a stream holds once the program ended; a daemon the program forked could keep the pipe open, so the wait for
    /// its end is bounded.
    /// </summary>
    private static string Collect(Task<string> read) => read.Wait(TimeSpan.FromSeconds(5)) ? read.Result : "(output still open after exit)";
}

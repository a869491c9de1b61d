using System.Diagnostics;
using System.Text.Json;

namespace Atlas.Cli.Tests;

/// <summary>
/// Two writers on one experiment: while another process holds <c>artifacts/mini/.lock</c>, <c>atlas run</c> waits
/// naming it (or, with ATLAS_LOCK_WAIT=0, stops naming it), goes on when it is released, and a killed holder never blocks.
/// The holder here is util-linux's <c>flock</c>, which takes the same flock(2) lock .NET takes for FileShare.None.
/// </summary>
public sealed class ExperimentLockTests : CliTestFolder
{
    private string LockFile => folder.File("artifacts/mini/.lock");

    [LinuxFact]
    public void A_held_experiment_stops_a_run_at_once_naming_the_holder_when_waiting_is_off()
    {
        using var holder = Hold();
        var result = AtlasProcess.Run(folder.Path, new Dictionary<string, string?> { ["ATLAS_LOCK_WAIT"] = "0" }, "run", "--spec", "mini.yaml", "--stage", "data");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"error: experiment artifacts/mini is in use by pid {holder.Id} on", result.Error);
        Assert.Contains("flock test holder", result.Error);
        Assert.False(File.Exists(folder.File("artifacts/mini/data/lock.json")), "the refused run ran the stage");
    }

    [LinuxFact]
    public void A_run_waits_for_the_holder_and_goes_on_when_it_is_gone()
    {
        var holder = Hold();
        int holderPid = holder.Id;
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = folder.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["exec", AtlasProcess.Dll, "run", "--spec", "mini.yaml", "--stage", "data"]) start.ArgumentList.Add(arg);
        using var run = Process.Start(start)!;
        var output = run.StandardOutput.ReadToEndAsync();
        var error = run.StandardError.ReadToEndAsync();

        // It is waiting (not failing) while the lock is held...
        Assert.False(run.WaitForExit(TimeSpan.FromSeconds(5)), "the run did not wait for the holder");
        // ... and a killed holder releases it: the OS drops flock locks with their process.
        holder.Kill(entireProcessTree: true);
        holder.WaitForExit();
        holder.Dispose();
        Assert.True(run.WaitForExit(TimeSpan.FromMinutes(2)), "the run did not go on after the holder died");

        Assert.True(run.ExitCode == 0, $"{output.Result}\n{error.Result}");
        Assert.Contains($"waiting for pid {holderPid}", output.Result);
        Assert.Contains("[data] done in", output.Result);
    }

    [Fact]
    public void A_run_names_itself_as_the_holder_while_it_runs()
    {
        var result = Atlas("run", "--spec", "mini.yaml", "--stage", "data");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var holder = JsonDocument.Parse(File.ReadAllText(folder.File("artifacts/mini/.lock.holder")));
        Assert.Equal("atlas run --stage data", holder.RootElement.GetProperty("Command").GetString());
        Assert.NotEqual(Environment.ProcessId, holder.RootElement.GetProperty("Pid").GetInt32());
    }

    /// <summary>Starts <c>flock</c> holding the experiment's lock file, with a holder record naming it.</summary>
    private Process Hold()
    {
        Directory.CreateDirectory(folder.File("artifacts/mini"));
        var start = new ProcessStartInfo("flock") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var arg in (string[])["--exclusive", LockFile, "sleep", "120"]) start.ArgumentList.Add(arg);
        var holder = Process.Start(start)!;
        // flock has the lock once the lock file exists and it is sleeping; give it a moment.
        for (int i = 0; i < 50 && !File.Exists(LockFile); i++) Thread.Sleep(100);
        Thread.Sleep(300);
        File.WriteAllText(folder.File("artifacts/mini/.lock.holder"),
            JsonSerializer.Serialize(new { Pid = holder.Id, Host = Environment.MachineName, User = "test", Command = "flock test holder", SinceUtc = DateTimeOffset.UtcNow }));
        return holder;
    }
}

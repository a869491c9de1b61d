using System.Diagnostics;
using Xunit;

namespace Atlas.Testing;

/// <summary>
/// A fact that needs to mount a small tmpfs (to fill a disk or make a folder read-only for real): it runs as root on
/// Linux, and is reported as skipped with the reason elsewhere, never as passed. xunit 2 has no runtime skip, so a probe
/// mount is tried when the attribute is made.
/// </summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    private static readonly string? Unavailable = Probe();

    public TmpfsFactAttribute()
    {
        if (Unavailable is { } reason) Skip = reason;
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux()) return "needs Linux to mount a tmpfs";
        using var mount = Tmpfs.TryMount(64 * 1024, out var reason);
        return mount is null ? $"cannot mount a tmpfs here ({reason}); needs root" : null;
    }
}

/// <summary>A small tmpfs mounted on a fresh temporary folder, unmounted and removed on dispose.</summary>
public sealed class Tmpfs : IDisposable
{
    private Tmpfs(string path) => Path = path;

    public string Path { get; }

    /// <summary>Mounts a tmpfs of <paramref name="bytes"/>; null (with the reason) when that is not allowed.</summary>
    public static Tmpfs? TryMount(long bytes, out string reason)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"atlas-tmpfs-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        if (Run("mount", "-t", "tmpfs", "-o", $"size={bytes}", "tmpfs", path) is { } error)
        {
            Directory.Delete(path);
            reason = error;
            return null;
        }
        reason = "";
        return new Tmpfs(path);
    }

    /// <summary>Remounts it read-only.</summary>
    public void MakeReadOnly()
    {
        if (Run("mount", "-o", "remount,ro", Path) is { } error) throw new InvalidOperationException($"remount read-only failed: {error}");
    }

    public void Dispose()
    {
        Run("umount", Path);
        try
        {
            Directory.Delete(Path);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Null on success, else what went wrong.</summary>
    private static string? Run(string command, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var argument in arguments) start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"{command} exited {process.ExitCode}: {error.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"{command}: {e.Message}";
        }
    }
}

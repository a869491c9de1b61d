using System.Runtime.InteropServices;

namespace Atlas.Stages;

/// <summary>
/// Peak resident memory of one piece of work inside a process that runs several (the methods of a comparison one after
/// another). <see cref="Start"/> first hands the heap's free memory back to the kernel (glibc <c>malloc_trim</c>) and then
/// resets the kernel's high-water mark (<c>/proc/self/clear_refs</c>, Linux ≥ 4.0), so the peak read afterwards covers
/// only what followed. Values are in MiB; null where the platform offers neither (the results then say so).
/// </summary>
public sealed class ResidentMemory
{
    private ResidentMemory(double? startMiB) => StartMiB = startMiB;

    /// <summary>Resident memory when the window opened (after the trim).</summary>
    public double? StartMiB { get; }

    /// <summary>The highest resident memory since the window opened.</summary>
    public double? PeakMiB => StartMiB is null ? null : Read("VmHWM:");

    /// <summary>How far the work raised resident memory above its start: what it needed on top of what was loaded. Never
    /// negative: the kernel's RSS counters are batched per CPU, so a window that added nothing can read a fraction of a
    /// MiB below its start (seen once in a loaded test run: the PEFT stage test's check of a non-negative peak failed).</summary>
    public double? PeakAboveStartMiB => PeakMiB - StartMiB is { } above ? Math.Max(0, above) : null;

    /// <summary>Opens a measurement window.</summary>
    public static ResidentMemory Start()
    {
        if (!OperatingSystem.IsLinux()) return new ResidentMemory(null);
        try
        {
            MallocTrim(0);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // Not glibc: nothing cached to hand back.
        }
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5"); // 5: reset the peak RSS to the current RSS
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ResidentMemory(null);
        }
        return new ResidentMemory(Read("VmRSS:"));
    }

    private static double? Read(string field)
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        return line is null ? null : long.Parse(line[field.Length..].Trim().Split(' ')[0]) / 1024.0; // kB
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}

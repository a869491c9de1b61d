using System.Runtime.InteropServices;

namespace Atlas.Stages;

/// <summary>
/// Keeps libtorch's tensor buffers in glibc's heap. By default glibc serves every allocation above a (dynamic)
/// threshold with a fresh mmap and unmaps it on free, so each activation of a forward pass costs page faults and page
/// zeroing; with the mini model's megabyte-sized activations that made evaluation 3.5× slower (measured here: the
/// 21-point task-arithmetic search took 67.7 s with the defaults, 19.0 s with a fixed 32 MiB threshold). Results are
/// unchanged: only where memory comes from differs. A no-op where the C library is not glibc.
/// </summary>
public static class NativeAllocator
{
    private const int TrimThreshold = -1, MmapThreshold = -3; // glibc's M_TRIM_THRESHOLD and M_MMAP_THRESHOLD
    private const int MmapThresholdBytes = 32 << 20; // glibc's maximum for the mmap threshold on 64-bit
    private const int TrimThresholdBytes = 256 << 20;
    private static int _configured;

    /// <summary>Applies the settings once per process, before the first tensor is allocated if possible.</summary>
    public static void Configure()
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref _configured, 1) == 1) return;
        try
        {
            Mallopt(MmapThreshold, MmapThresholdBytes);
            Mallopt(TrimThreshold, TrimThresholdBytes);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // Not glibc (musl has no mallopt): nothing to tune.
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);
}

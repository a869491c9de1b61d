using System.Runtime.InteropServices;

namespace Atlas.Stages;

/// <summary>
/// glibc's heap as libtorch's CPU allocator uses it. glibc serves blocks above a dynamic mmap threshold (from 128 KiB)
/// with their own mapping and trims the heap top once twice that much is free; both thresholds only grow as the process
/// frees larger blocks. A process that has not freed a large block yet therefore maps, trims and page-faults its
/// activations again on every step. Measured here on the mini tower (batch 32, one thread, fresh process): a full
/// fine-tuning step takes 29–42 ms with glibc's defaults and 19.6 ms with the fixed thresholds below, peak resident
/// memory unchanged (210–213 MiB). A fine-tuning stage, which frees its loaded multi-MiB arrays first, already ran at
/// its best (28 steps/s at batch 64 either way); fixing the thresholds makes every process do so, whatever it freed
/// before. Raising only the trim threshold is far worse (205 ms: glibc then pins the mmap threshold at 128 KiB).
/// </summary>
public static class TensorHeap
{
    private const int TrimThreshold = -1, MmapThreshold = -3; // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD (malloc.h)
    private const int LargestHeapBlock = 32 << 20; // glibc's ceiling for the mmap threshold on 64-bit
    private const int KeptFreeMemory = 1 << 30;

    /// <summary>Keeps freed tensor memory in the heap for the next step. Does nothing off glibc; idempotent.</summary>
    /// <returns>Whether glibc accepted both settings.</returns>
    public static bool Configure()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return MallOpt(MmapThreshold, LargestHeapBlock) == 1 && MallOpt(TrimThreshold, KeptFreeMemory) == 1;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false; // not glibc (musl has no mallopt tuning)
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int parameter, int value);
}

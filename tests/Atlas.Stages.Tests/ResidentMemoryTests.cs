using static TorchSharp.torch;

namespace Atlas.Stages.Tests;

/// <summary>Peak resident memory of a window inside a long process.</summary>
public sealed class ResidentMemoryTests
{
    [LinuxFact] // reported as skipped elsewhere: the window reads /proc/self/status
    public void A_peak_inside_the_window_is_seen_and_an_earlier_one_is_not()
    {
        // An earlier, larger peak that is released before the window opens.
        using (ones(96L << 18)) { } // 96 MiB of float32, filled, then freed
        var window = ResidentMemory.Start();
        using (ones(32L << 18)) { }
        Assert.NotNull(window.StartMiB);
        Assert.InRange(window.PeakAboveStartMiB!.Value, 30, 90);
    }
}

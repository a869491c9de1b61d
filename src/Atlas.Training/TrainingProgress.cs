using System.Diagnostics;

namespace Atlas.Training;

/// <summary>
/// Prints step, loss, learning rate, throughput and ETA of a long training loop at most every two seconds (and at the
/// last step), so a person watching a run sees it move without drowning in lines.
/// </summary>
public sealed class TrainingProgress(string label, long totalSteps, TextWriter output)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan? _lastPrint;
    private long _firstStep = -1;

    /// <summary>Reports that <paramref name="step"/> (0-based) finished with the given loss and learning rate.</summary>
    public void Report(long step, double loss, double lr)
    {
        if (_firstStep < 0) _firstStep = step;
        var elapsed = _clock.Elapsed;
        bool last = step + 1 == totalSteps;
        if (!last && _lastPrint is { } previous && elapsed - previous < Interval) return;
        _lastPrint = elapsed;
        double stepsPerSecond = (step - _firstStep + 1) / Math.Max(elapsed.TotalSeconds, 1e-9);
        var eta = TimeSpan.FromSeconds((totalSteps - step - 1) / Math.Max(stepsPerSecond, 1e-9));
        output.WriteLine(
            $"[{label}] step {step + 1}/{totalSteps}  loss {loss:F4}  lr {lr:E2}  {stepsPerSecond:F1} steps/s  ETA {eta:mm\\:ss}");
    }
}

using System.Diagnostics;

namespace Atlas.Training;

/// <summary>
/// Prints step, loss, learning rate, throughput and ETA of a long training loop at most every two seconds (and at the
/// last step), so a person watching a run sees it move without drowning in lines. It also keeps the wall time of every
/// step the loop reports, for the step-time column of a comparison.
/// </summary>
public sealed class TrainingProgress(string label, long totalSteps, TextWriter output)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan? _lastPrint;
    private readonly List<double> _stepSeconds = [];
    private long _firstStep = -1;

    /// <summary>The median wall time of the reported steps in seconds (NaN before any step with a duration). Model
    /// selection between epochs is outside every step.</summary>
    public double MedianStepSeconds => _stepSeconds.Count == 0 ? double.NaN : Medians.Of(_stepSeconds);

    /// <summary>Reports that <paramref name="step"/> (0-based) finished with the given loss and learning rate.</summary>
    /// <param name="stepSeconds">The step's wall time (forward, backward and update), when the caller measured it.</param>
    public void Report(long step, double loss, double lr, double? stepSeconds = null)
    {
        if (stepSeconds is { } seconds) _stepSeconds.Add(seconds);
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

using Atlas.Training.Optim;
using Atlas.Training.Selection;
using static TorchSharp.torch;

namespace Atlas.Training.Tests;

/// <summary>Per-epoch model selection on a one-parameter problem whose trajectory is known: x starts at 0 and gradient
/// descent on (x − 3)² walks it toward 3, one epoch being two steps.</summary>
public class EpochSelectionTests
{
    private const int StepsPerEpoch = 2, Epochs = 5;

    private static readonly OptimizationRecipe Recipe = new(Lr: 0.5, WeightDecay: 0, Steps: StepsPerEpoch * Epochs, WarmupSteps: 0, Cosine: false, GradClip: 100);

    private static Dictionary<string, Tensor> Start() => new() { ["x"] = tensor(0f) };

    private static double X(IReadOnlyDictionary<string, Tensor> weights) => weights["x"].item<float>();

    private static (Dictionary<string, Tensor> Final, List<LossPoint> History) Train(EpochSelection selection, ITrainingCheckpoint? checkpoint = null)
    {
        var (final, history) = TrainingLoop.Run(Start(), Recipe, (w, _) => (w["x"] - 3).square(), TestSupport.Silent(Recipe.Steps), checkpoint, selection);
        return (final, history.ToList());
    }

    [Fact]
    public void The_best_admissible_epoch_is_kept_and_the_start_counts_as_epoch_zero()
    {
        using var scope = NewDisposeScope();
        // Score: closeness to 1.5; x passes it early, so a later epoch must not replace the best one.
        using var selection = new EpochSelection(StepsPerEpoch, Start(), w => new EpochVerdict(-Math.Abs(X(w) - 1.5), true, false, new Dictionary<string, double> { ["x"] = X(w) }));
        var (final, history) = Train(selection);

        Assert.Equal(Recipe.Steps, history.Count);
        Assert.Equal(Epochs + 1, selection.Records.Count);
        Assert.Equal(Enumerable.Range(0, Epochs + 1), selection.Records.Select(r => r.Epoch));
        Assert.Equal(0, selection.Records[0].Step);
        Assert.Equal(0.0, selection.Records[0].Metrics["x"]);
        var bestRecord = selection.Records.Where(r => r.Admissible).MaxBy(r => r.Score)!;
        Assert.Equal(bestRecord.Epoch, selection.BestEpoch);
        Assert.InRange(selection.BestEpoch, 1, Epochs - 1);
        Assert.Equal(bestRecord.Metrics["x"], X(selection.BestWeights), 6);
        Assert.NotEqual(X(final), X(selection.BestWeights));
    }

    [Fact]
    public void A_known_starting_verdict_replaces_scoring_the_start_and_selects_exactly_as_scoring_it()
    {
        using var scope = NewDisposeScope();
        int scored = 0;
        Func<IReadOnlyDictionary<string, Tensor>, EpochVerdict> score = w =>
        {
            scored++;
            return new EpochVerdict(-Math.Abs(X(w) - 1.5), true, false, new Dictionary<string, double> { ["x"] = X(w) });
        };
        using var scoring = new EpochSelection(StepsPerEpoch, Start(), score);
        Assert.Equal(1, scored);
        Train(scoring);
        Assert.Equal(Epochs + 1, scored);

        // The start x = 0 scores −|0 − 1.5| = −1.5: given that verdict, the start is not scored again.
        scored = 0;
        using var known = new EpochSelection(StepsPerEpoch, Start(), score,
            initialVerdict: new EpochVerdict(-1.5, true, false, new Dictionary<string, double> { ["x"] = 0 }));
        Assert.Equal(0, scored);
        Train(known);
        Assert.Equal(Epochs, scored);

        Assert.Equal(scoring.Records.Select(r => (r.Epoch, r.Step, r.Score, r.Improved, r.Metrics["x"])),
            known.Records.Select(r => (r.Epoch, r.Step, r.Score, r.Improved, r.Metrics["x"])));
        Assert.Equal(scoring.BestEpoch, known.BestEpoch);
        Assert.Equal(X(scoring.BestWeights), X(known.BestWeights));
    }

    [Fact]
    public void Without_improvement_the_starting_weights_stay_selected()
    {
        using var scope = NewDisposeScope();
        // Score: closeness to −1, which training only moves away from.
        using var selection = new EpochSelection(StepsPerEpoch, Start(), w => new EpochVerdict(-Math.Abs(X(w) + 1), true, false, new Dictionary<string, double>()));
        Train(selection);
        Assert.Equal(0, selection.BestEpoch);
        Assert.Equal(0.0, X(selection.BestWeights));
        Assert.DoesNotContain(selection.Records.Skip(1), r => r.Improved);
    }

    [Fact]
    public void Inadmissible_epochs_are_never_selected_and_a_stop_ends_training_after_that_epoch()
    {
        using var scope = NewDisposeScope();
        // Score: larger x is better, but x above 2 breaks the constraint and stops the run (task negation's rule).
        using var selection = new EpochSelection(StepsPerEpoch, Start(), w => new EpochVerdict(X(w), X(w) <= 2, X(w) > 2, new Dictionary<string, double>()));
        var (final, history) = Train(selection);

        int stopEpoch = selection.Records.First(r => !r.Admissible).Epoch;
        Assert.True(stopEpoch < Epochs, "the fixture must cross the constraint before the last epoch");
        Assert.Equal(stopEpoch * StepsPerEpoch, history.Count);
        Assert.Equal(stopEpoch + 1, selection.Records.Count);
        Assert.True(selection.Stopped);
        Assert.True(X(final) > 2);
        Assert.True(X(selection.BestWeights) <= 2);
        Assert.Equal(stopEpoch - 1, selection.BestEpoch);
    }

    [Fact]
    public void A_run_resumed_mid_way_selects_exactly_as_an_uninterrupted_one()
    {
        using var scope = NewDisposeScope();
        Func<IReadOnlyDictionary<string, Tensor>, EpochVerdict> score = w => new EpochVerdict(-Math.Abs(X(w) - 1.5), true, false, new Dictionary<string, double> { ["x"] = X(w) });
        using var uninterrupted = new EpochSelection(StepsPerEpoch, Start(), score);
        Train(uninterrupted);

        var checkpoint = new MemoryCheckpoint(interval: 3) { CrashAfter = 6 };
        using (var crashed = new EpochSelection(StepsPerEpoch, Start(), score))
            Assert.Throws<SimulatedCrash>(() => Train(crashed, checkpoint));
        Assert.Equal(6, checkpoint.Stored!.CompletedSteps);
        Assert.Equal(4, checkpoint.Stored.Selection!.Records.Count); // epochs 0–3

        checkpoint.CrashAfter = long.MaxValue;
        using var resumed = new EpochSelection(StepsPerEpoch, Start(), score);
        Train(resumed, checkpoint);
        Assert.Equal(uninterrupted.BestEpoch, resumed.BestEpoch);
        Assert.Equal(uninterrupted.Records.Select(r => (r.Epoch, r.Step, r.Score, r.Improved)), resumed.Records.Select(r => (r.Epoch, r.Step, r.Score, r.Improved)));
        Assert.Equal(X(uninterrupted.BestWeights), X(resumed.BestWeights));
    }

    [Fact]
    public void Starting_weights_that_break_the_constraint_are_rejected()
    {
        using var scope = NewDisposeScope();
        var error = Assert.Throws<InvalidOperationException>(() =>
            new EpochSelection(StepsPerEpoch, Start(), _ => new EpochVerdict(0, false, false, new Dictionary<string, double>())));
        Assert.Contains("starting weights", error.Message);
    }
}

using static TorchSharp.torch;

namespace Atlas.Training.Tests;

public class TrainingLoopResumeTests
{
    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)] // about 9 s (measured on 2 cores)
    public void A_run_resumed_from_a_snapshot_is_bit_identical_to_an_uninterrupted_one()
    {
        using var scope = NewDisposeScope();
        var fixture = new FineTuningFixture();
        var (expected, expectedHistory) = fixture.Run();
        Assert.Equal(FineTuningFixture.Steps, expectedHistory.Count);

        // Saving snapshots does not perturb the run.
        var observer = new MemoryCheckpoint(interval: 2);
        var (observed, observedHistory) = fixture.Run(checkpoint: observer);
        Assert.Equal([2L, 4, 6], observer.Saves); // nothing after the last step
        TestSupport.AssertAllIdentical(expected, observed);
        Assert.Equal(expectedHistory, observedHistory);

        // Crash right after the snapshot of step 4 was written ...
        var checkpoint = new MemoryCheckpoint(interval: 2) { CrashAfter = 4 };
        Assert.Throws<SimulatedCrash>(() => fixture.Run(checkpoint: checkpoint));
        var snapshot = checkpoint.Stored!;
        Assert.Equal(4, snapshot.CompletedSteps);
        Assert.Equal(expectedHistory.Take(4), snapshot.History);
        Assert.Contains(snapshot.Parameters, p => !TensorAssert.Identical(p.Value, expected[p.Key]));

        // ... and resume: only steps 5–8 run (the next save is at 6), and the result is the uninterrupted one, bit for bit.
        checkpoint.CrashAfter = long.MaxValue;
        var (resumed, resumedHistory) = fixture.Run(checkpoint: checkpoint);
        Assert.Equal(2, checkpoint.Loads);
        Assert.Equal([2L, 4, 6], checkpoint.Saves);
        TestSupport.AssertAllIdentical(expected, resumed);
        Assert.Equal(expectedHistory, resumedHistory);

        // Control: the same snapshot with its optimizer moments lost resumes to different weights, so the equality
        // above is not vacuous.
        var amnesiac = new MemoryCheckpoint(interval: 2)
        {
            Stored = snapshot with { OptimizerState = snapshot.OptimizerState.ToDictionary(p => p.Key, p => zeros_like(p.Value)) },
        };
        var (forgetful, _) = fixture.Run(checkpoint: amnesiac);
        Assert.Contains(expected.Keys, name => !TensorAssert.Identical(expected[name], forgetful[name]));
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)] // about 5 s (measured on 2 cores)
    public void Same_seed_gives_identical_runs_and_another_seed_a_different_one()
    {
        using var scope = NewDisposeScope();
        var fixture = new FineTuningFixture();
        var (a, historyA) = fixture.Run(batchSeed: 5);
        var (b, historyB) = fixture.Run(batchSeed: 5);
        var (c, historyC) = fixture.Run(batchSeed: 6);

        TestSupport.AssertAllIdentical(a, b);
        Assert.Equal(historyA, historyB);
        Assert.Contains(a.Keys, name => !TensorAssert.Identical(a[name], c[name]));
        Assert.NotEqual(historyA.Select(p => p.Loss), historyC.Select(p => p.Loss));
        Assert.Equal(historyA.Select(p => p.Lr), historyC.Select(p => p.Lr)); // same schedule
    }
}

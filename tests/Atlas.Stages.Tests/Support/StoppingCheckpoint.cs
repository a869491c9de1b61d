using Atlas.Training;

namespace Atlas.Stages.Tests.Support;

/// <summary>Passes snapshots to <paramref name="inner"/> and kills the run right after the one at <paramref name="stopAfterStep"/> is saved.</summary>
internal sealed class StoppingCheckpoint(ITrainingCheckpoint inner, long stopAfterStep) : ITrainingCheckpoint
{
    public int Interval => inner.Interval;

    public TrainingSnapshot? Load() => inner.Load();

    public void Save(TrainingSnapshot snapshot)
    {
        inner.Save(snapshot);
        if (snapshot.CompletedSteps >= stopAfterStep) throw new SimulatedKill($"killed after the snapshot of step {snapshot.CompletedSteps}");
    }
}

namespace Atlas.Training;

/// <summary>Where a training loop keeps its resumable snapshot; the pipeline stores it on disk atomically.</summary>
public interface ITrainingCheckpoint
{
    /// <summary>The last saved snapshot, or null when the run starts fresh.</summary>
    TrainingSnapshot? Load();

    /// <summary>Persists the snapshot. Its tensors are the loop's live ones: write or copy them before returning.</summary>
    void Save(TrainingSnapshot snapshot);

    /// <summary>Save every this many steps (the loop also saves nothing after its last step: the result replaces it).</summary>
    int Interval { get; }
}

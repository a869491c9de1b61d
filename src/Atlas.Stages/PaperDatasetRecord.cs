namespace Atlas.Stages;

/// <summary>What <see cref="PaperDataStage"/> found: class count, part sizes, where validation came from, the digest.</summary>
public sealed record PaperDatasetRecord(
    string Dataset, int Classes, int Train, int Validation, int Test, ValidationSource ValidationFrom, string Digest);

namespace Atlas.Stages;

/// <summary>Zero-shot and fine-tuned top-1 accuracy (%) of one task on its val and test partitions.</summary>
public sealed record TaskAccuracy(string Task, double ZeroShotVal, double ZeroShotTest, double FineTunedVal, double FineTunedTest);

namespace Atlas.Data.Datasets;

/// <summary>
/// The three parts the paper uses of every dataset: the part fine-tuning and coefficient learning train on, the
/// validation part (model selection; the task-addition coefficients are learned on it) and the test part every table
/// reports. <see cref="Train"/> excludes <see cref="Validation"/> where validation is carved out of the dataset's
/// training split (the atlas code's <c>XVal</c> datasets).
/// </summary>
public enum DatasetPart
{
    Train,
    Validation,
    Test,
}

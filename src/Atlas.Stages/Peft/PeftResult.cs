namespace Atlas.Stages.Peft;

/// <summary>One method trained on one data fraction of a target.</summary>
/// <param name="Variant">The run's <see cref="Pipeline.Specs.PeftVariant"/> name (<c>atlas_x10</c>, <c>lora_r16</c>,
/// <c>full_finetune</c>).</param>
/// <param name="Fraction">Share of the train partition.</param>
/// <param name="Images">Images in the subset.</param>
/// <param name="Steps">Optimizer steps taken.</param>
/// <param name="KeptEpoch">The epoch whose weights were tested (0: the starting weights; the last epoch without
/// validation selection).</param>
/// <param name="TrainableParameters">Trained scalars.</param>
/// <param name="TestAccuracy">Top-1 accuracy (%) on the test split.</param>
/// <param name="MedianStepMs">Median wall time of one training step (forward, backward, update), in milliseconds.</param>
/// <param name="PeakAboveStartMiB">How far training raised the process's resident memory above what was loaded before
/// it (the method's own state, gradients and activations); null where it cannot be measured.</param>
/// <param name="PeakMiB">The process's resident peak during training.</param>
public sealed record PeftRun(
    string Variant, double Fraction, int Images, int Steps, int KeptEpoch, long TrainableParameters, double TestAccuracy,
    double MedianStepMs, double? PeakAboveStartMiB, double? PeakMiB);

/// <summary>Every PEFT run of one target.</summary>
/// <param name="Pool">The tasks whose vectors aTLAS × K composes.</param>
/// <param name="Vectors">Which of their task vectors: LoRA or full.</param>
/// <param name="PoolBlocks">P, the blocks Λ spans: the LoRA-adapted matrices, or every image-tower tensor.</param>
/// <param name="SubsetSeed">Seed of the permutation whose prefixes are the data fractions.</param>
/// <param name="ZeroShotTest">The pretrained tower's test accuracy, where every method starts.</param>
public sealed record PeftResult(string Target, IReadOnlyList<string> Pool, Pipeline.Specs.PeftVectorPool Vectors, int PoolBlocks,
    ulong SubsetSeed, double ZeroShotTest, IReadOnlyList<PeftRun> Runs);

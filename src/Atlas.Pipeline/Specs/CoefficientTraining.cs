using System.ComponentModel.DataAnnotations;

namespace Atlas.Pipeline.Specs;

/// <summary>Learning coefficients Λ with AdamW (docs/method.md §M3.3): Λ starts at 0, selection after every epoch.</summary>
public sealed record CoefficientTraining
{
    /// <summary>AdamW learning rate.</summary>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public required double Lr { get; init; }

    /// <summary>AdamW decoupled weight decay on Λ (pulls it toward 0; paper: 0.1).</summary>
    [Range(0d, double.PositiveInfinity)]
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>Epochs; the best epoch on validation is kept.</summary>
    [Range(1, int.MaxValue)]
    public required int Epochs { get; init; }

    /// <summary>Images per step (per task where several tasks are learned together).</summary>
    [Range(1, int.MaxValue)]
    public required int Batch { get; init; }

    /// <summary><c>constant</c> (task addition and negation) or <c>cosine</c>.</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Constant;

    /// <summary>Largest global gradient L2 norm.</summary>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public double GradClip { get; init; } = 1.0;

    /// <summary>Random-resized-crop scale range of the training images (paper: 0.9–1 for addition and negation).</summary>
    [Length(2, 2), Range(0d, 1d, MinimumIsExclusive = true)]
    public List<double> CropScale { get; init; } = [0.9, 1.0];

    /// <summary>Optional penalty γ·mean_j ‖Λ[:, j]‖_p added to the loss (off in the paper's main results).</summary>
    public RegularizerSpec? Regularizer { get; init; }

    /// <summary>Micro-batches whose gradients one optimiser step of Λ sums (the paper's ViT-L/14: batch 128 as 2 × 64):
    /// every batch (every task's, where several are learned together) is cut into k equal parts in order, each part's
    /// loss scaled by 1/k, and Λ steps once per full batch, after the k-th part (the "(i + 1) % accum == 0" form of the
    /// reference's few-shot and test-time scripts). The reference's task addition and negation step on "i % accum == 0",
    /// after the first micro-batch alone; that off-by-one is not reproduced. Test-time UFM and SAR, whose losses average
    /// over a data-dependent subset, divide each part's sum by the whole batch's count, so their step is the whole
    /// batch's too (the reference's SAR does not accumulate at all). 1 runs the whole batch at once; <c>batch</c> must
    /// be a multiple of it.</summary>
    [Range(1, int.MaxValue), OmittedFromLockAtDefault]
    public int GradientAccumulation { get; init; } = 1;
}

/// <summary>The L_p penalty on Λ.</summary>
public sealed record RegularizerSpec
{
    /// <summary>γ (paper: 0.5).</summary>
    [Range(0d, double.PositiveInfinity)]
    public double Gamma { get; init; } = 0.5;

    /// <summary>The norm: 1 or 2.</summary>
    [Range(1, 2)]
    public int P { get; init; } = 1;
}

/// <summary>Evenly spaced values from <c>start</c> to <c>stop</c> inclusive (numpy's linspace).</summary>
public sealed record ScalingGridSpec
{
    public double Start { get; init; }

    public double Stop { get; init; } = 1.0;

    /// <summary>Number of values.</summary>
    [Range(1, int.MaxValue)]
    public int Count { get; init; } = 21;
}

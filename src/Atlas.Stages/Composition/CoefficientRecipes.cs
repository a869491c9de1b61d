using Atlas.Method.Composition;
using Atlas.Pipeline.Specs;
using Atlas.Training;
using Atlas.Training.Composition;
using Atlas.Training.Optim;

namespace Atlas.Stages.Composition;

/// <summary>What a spec's <see cref="CoefficientTraining"/> means to the training loop, in one place for every stage
/// that learns Λ.</summary>
internal static class CoefficientRecipes
{
    /// <summary>AdamW over <paramref name="steps"/> steps, no warm-up (the paper's coefficient scripts have none), each
    /// step over <see cref="CoefficientTraining.GradientAccumulation"/> micro-batches (the loss must then be the
    /// micro-batch form of <see cref="ComposedModel.Train(IReadOnlyDictionary{string, TorchSharp.torch.Tensor}, OptimizationRecipe, Func{IReadOnlyDictionary{string, TorchSharp.torch.Tensor}, long, int, TorchSharp.torch.Tensor}, TrainingProgress, ITrainingCheckpoint?, Atlas.Training.Selection.EpochSelection?, CoefficientRegularizer?)"/>).</summary>
    public static OptimizationRecipe Recipe(this CoefficientTraining learn, int steps) =>
        new(learn.Lr, learn.WeightDecay, steps, 0, learn.Schedule == ScheduleKind.Cosine, learn.GradClip, learn.GradientAccumulation);

    /// <summary>The optional L_p penalty on Λ.</summary>
    public static CoefficientRegularizer? Regularizer(this CoefficientTraining learn) =>
        learn.Regularizer is { } r ? new CoefficientRegularizer(r.Gamma, r.P) : null;

    /// <summary>The random-resized-crop scale range of the training images.</summary>
    public static (double Min, double Max) Crop(this CoefficientTraining learn) => (learn.CropScale[0], learn.CropScale[1]);
}

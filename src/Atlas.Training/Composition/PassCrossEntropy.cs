using static TorchSharp.torch;

namespace Atlas.Training.Composition;

/// <summary>
/// The objective of gradient-free aTLAS (docs/method.md §M3.5): every call scores the next pass over a batch stream, the
/// sum over the pass's batches of the batch-mean cross-entropy. The release's <c>learn_coef_gfree.py</c> iterates its
/// training loader once per evaluation and sums mean batch loss × batch size / len(batch) over the batches; every batch
/// of an <see cref="ImageBatches"/> stream is full, so that weight is 1. Call n (0-based) reads steps
/// [n·S, (n + 1)·S) of the stream, S = <c>stepsPerPass</c>: each evaluation sees freshly shuffled, freshly augmented
/// images, as a re-iterated loader does, and the whole sequence is fixed by the stream's seed.
/// </summary>
/// <param name="batches">The (oversampled, augmented) training batches.</param>
/// <param name="stepsPerPass">S ≥ 1, the batches of one pass (an epoch of the gradient variant).</param>
public sealed class PassCrossEntropy(ImageBatches batches, int stepsPerPass)
{
    private readonly int _stepsPerPass = stepsPerPass >= 1
        ? stepsPerPass
        : throw new ArgumentOutOfRangeException(nameof(stepsPerPass), stepsPerPass, "a pass needs at least one batch");

    /// <summary>Passes scored so far (the next call scores pass <see cref="Passes"/>).</summary>
    public int Passes { get; private set; }

    /// <summary>Σ over the next pass's batches of CE(logits(images), labels), without gradients.</summary>
    /// <param name="logits">The model under evaluation: logits [B, C] of augmented images [B, 3, H, W] in [0, 1].</param>
    public double Next(Func<Tensor, Tensor> logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        using var noGrad = no_grad();
        double total = 0;
        long first = (long)Passes * _stepsPerPass;
        for (long step = first; step < first + _stepsPerPass; step++)
        {
            using var scope = NewDisposeScope();
            var (images, labels) = batches.At(step);
            var scores = logits(images);
            // The labels, drawn on the CPU, follow the logits to the model's device (on the CPU, unmoved).
            total += nn.functional.cross_entropy(scores, Atlas.Models.DevicePlacement.Like(labels, scores)).to(ScalarType.Float64).item<double>();
        }
        Passes++;
        return total;
    }
}

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
/// <param name="batchesPerForward">How many consecutive batches the model scores in one call (at least 1): a speed
/// setting. The cross-entropy is still each batch's own mean, summed in step order, so the value is the same bits as
/// batch by batch whenever the model gives an image the same logits in any batch (the mini tower does from 4 images
/// up: EvaluationTests). Larger calls run faster on a CPU shared with another process (fewer, larger matrix products).</param>
public sealed class PassCrossEntropy(ImageBatches batches, int stepsPerPass, int batchesPerForward = 1)
{
    private readonly int _stepsPerPass = stepsPerPass >= 1
        ? stepsPerPass
        : throw new ArgumentOutOfRangeException(nameof(stepsPerPass), stepsPerPass, "a pass needs at least one batch");

    private readonly int _batchesPerForward = batchesPerForward >= 1
        ? batchesPerForward
        : throw new ArgumentOutOfRangeException(nameof(batchesPerForward), batchesPerForward, "a call scores at least one batch");

    /// <summary>Passes scored so far (the next call scores pass <see cref="Passes"/>).</summary>
    public int Passes { get; private set; }

    /// <summary>Σ over the next pass's batches of CE(logits(images), labels), without gradients.</summary>
    /// <param name="logits">The model under evaluation: logits [B, C] of augmented images [B, 3, H, W] in [0, 1].</param>
    public double Next(Func<Tensor, Tensor> logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        using var noGrad = no_grad();
        double total = 0;
        long first = (long)Passes * _stepsPerPass, end = first + _stepsPerPass;
        for (long step = first; step < end; step += _batchesPerForward)
        {
            using var scope = NewDisposeScope();
            var group = new List<(Tensor Images, Tensor Labels)>();
            for (long s = step; s < Math.Min(end, step + _batchesPerForward); s++) group.Add(batches.At(s));
            var scores = logits(group.Count == 1 ? group[0].Images : cat(group.Select(b => b.Images).ToList(), 0));
            long offset = 0;
            foreach (var (images, labels) in group)
            {
                long size = images.shape[0];
                // The labels, drawn on the CPU, follow the logits to the model's device (on the CPU, unmoved).
                total += nn.functional.cross_entropy(scores.narrow(0, offset, size), Atlas.Models.DevicePlacement.Like(labels, scores))
                    .to(ScalarType.Float64).item<double>();
                offset += size;
            }
        }
        Passes++;
        return total;
    }
}

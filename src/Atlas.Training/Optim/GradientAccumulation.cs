using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Training.Optim;

/// <summary>
/// The backward pass of one optimiser step over k micro-batches (the paper's ViT-L/14 fine-tuning: batch 128 as 2 × 64,
/// <c>--num-grad-accumulation 2</c>). Each micro-batch's mean loss is scaled by 1/k before its backward pass, so the
/// summed gradients equal those of the whole batch's mean loss while only one micro-batch's activations are alive.
/// With k = 1 it is the plain loss-then-backward of a step, with no scaling.
/// </summary>
public static class GradientAccumulation
{
    /// <summary>The spec value that means "no accumulation": one micro-batch per optimiser step.</summary>
    public const int None = 1;

    /// <summary>Accumulates the gradients of one step into the parameters' <c>.grad</c>.</summary>
    /// <param name="microBatches">k, the micro-batches of the step.</param>
    /// <param name="lossOf">The scalar mean loss of micro-batch i (0 ≤ i &lt; k).</param>
    /// <param name="step">The step index, for the error message.</param>
    /// <returns>The step's loss: the mean of the micro-batch losses (the whole batch's mean loss for equal micro-batches).</returns>
    /// <exception cref="InvalidOperationException">A micro-batch loss is not finite (checked before its backward pass).</exception>
    public static double Backward(int microBatches, Func<int, Tensor> lossOf, long step)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(microBatches, 1);
        if (microBatches == None)
        {
            var loss = lossOf(0);
            double value = Checked(loss, step);
            loss.backward();
            return value;
        }

        using Scalar share = (1.0 / microBatches).ToScalar();
        double sum = 0;
        for (int micro = 0; micro < microBatches; micro++)
        {
            // A scope per micro-batch frees its activations' handles before the next one runs.
            using var scope = NewDisposeScope();
            var loss = lossOf(micro);
            sum += Checked(loss, step);
            loss.mul(share).backward();
        }
        return sum / microBatches;
    }

    // Checked before the update so a diverged run stops with its weights (and last snapshot) still finite.
    private static double Checked(Tensor loss, long step)
    {
        double value = loss.to_type(ScalarType.Float64).item<double>();
        if (!double.IsFinite(value))
            throw new InvalidOperationException($"the loss became {value} at step {step + 1}; lower the learning rate");
        return value;
    }
}

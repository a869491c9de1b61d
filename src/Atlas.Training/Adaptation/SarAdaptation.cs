using Atlas.Method.Composition;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Training.Adaptation;

/// <summary>
/// SAR (Niu et al., ICLR 2023): online, sharpness-aware and reliable entropy minimisation over named trainable tensors
/// (Λ in practice), the <c>entropy_sar</c> objective of docs/method.md §M5. Every step: (1) entropies at the current tensors;
/// keep the samples below E0 = margin·ln(C); loss = their mean entropy; backward; SAM ascent θ += ρ·g/‖g‖ (global norm
/// over all tensors). (2) Re-forward the same batch at the perturbed tensors; keep the first-pass samples that are still
/// below E0; loss2 = their mean; EMA ← d·EMA + (1 − d)·loss2 (the first value initialises it); backward; restore θ and take
/// an SGD-with-momentum step with this second gradient. When the EMA falls below the reset threshold the tensors, the
/// momentum and the EMA return to their initial state.
/// </summary>
/// <remarks>
/// Deliberate departures from the released code: C is the task's own class count (read from the logits), not the
/// hard-coded 1000 of SAR's ImageNet setting; a step whose first or second pass keeps no sample is skipped entirely
/// (the released code would still apply the decaying momentum with a zero gradient); non-finite logits stop the run
/// instead of silently being filtered out.
/// </remarks>
public static class SarAdaptation
{
    private const double NormEpsilon = 1e-12; // SAM's guard against a zero gradient norm

    /// <param name="initial">Starting tensors by name (not modified); every entry is adapted.</param>
    /// <param name="logitsAt">Logits [N, C] of the step's batch under the given tensors; called twice per step with the
    /// same step index and must then see the same images, augmented alike (deterministic in the step), as SAR re-forwards
    /// one batch.</param>
    /// <param name="steps">Number of online steps (batches).</param>
    /// <param name="progress">Optional progress output; it receives the first-pass loss and the learning rate.</param>
    /// <returns>The adapted tensors (detached) and one <see cref="SarStep"/> per step.</returns>
    public static (Dictionary<string, Tensor> Tensors, IReadOnlyList<SarStep> Trace) Run(
        IReadOnlyDictionary<string, Tensor> initial,
        Func<IReadOnlyDictionary<string, Tensor>, long, Tensor> logitsAt,
        int steps,
        SarSettings settings,
        TrainingProgress? progress = null)
    {
        ArgumentNullException.ThrowIfNull(logitsAt);
        return Run(initial, (tensors, step, _) => logitsAt(tensors, step), steps, Optim.GradientAccumulation.None, settings, progress);
    }

    /// <summary>SAR with gradient accumulation: each pass of a step forwards the batch as <paramref name="microBatches"/>
    /// equal parts, one at a time, and sums their reliable entropies' gradients; the sums are divided by the whole
    /// batch's reliable count, so the step equals the one on the whole batch (a per-part mean would weigh the parts'
    /// samples unequally whenever their reliable counts differ). The reference's SAR has no accumulation (it steps on
    /// every loader batch); here one SAM step is taken per full batch, as every other coefficient-learning loop.</summary>
    /// <param name="logitsAt">Logits [N/k, C] of part i of the step's batch under the given tensors; as in the
    /// overload without parts, it must see the same images at both passes of a step.</param>
    /// <param name="microBatches">k, the parts of every batch (1: the overload without parts, bit for bit).</param>
    public static (Dictionary<string, Tensor> Tensors, IReadOnlyList<SarStep> Trace) Run(
        IReadOnlyDictionary<string, Tensor> initial,
        Func<IReadOnlyDictionary<string, Tensor>, long, int, Tensor> logitsAt,
        int steps,
        int microBatches,
        SarSettings settings,
        TrainingProgress? progress = null)
    {
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(logitsAt);
        ArgumentOutOfRangeException.ThrowIfLessThan(microBatches, 1);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        settings.Validate();
        if (initial.Count == 0) throw new ArgumentException("there is nothing to adapt", nameof(initial));
        foreach (var (name, tensor) in initial)
            if (!tensor.is_floating_point()) throw new ArgumentException($"'{name}' is {tensor.dtype}, not a floating-point tensor", nameof(initial));

        var origin = initial.ToDictionary(p => p.Key, p => p.Value.detach().clone().DetachFromDisposeScope());
        var parameters = initial.ToDictionary(p => p.Key, p => p.Value.detach().clone().requires_grad_(true));
        using var optimizer = new SgdMomentum(parameters, settings.Momentum);
        var trace = new List<SarStep>(steps);
        double? ema = null;
        try
        {
            for (long step = 0; step < steps; step++)
            {
                using var scope = NewDisposeScope();
                var record = microBatches == Optim.GradientAccumulation.None
                    ? Step(parameters, (tensors, s) => logitsAt(tensors, s, 0), step, settings, optimizer, ref ema)
                    : AccumulatedStep(parameters, logitsAt, microBatches, step, settings, optimizer, ref ema);
                bool reset = ema is { } value && value < settings.ResetThreshold;
                if (reset)
                {
                    using (no_grad())
                        foreach (var (name, parameter) in parameters) parameter.copy_(origin[name]);
                    optimizer.Reset();
                    ema = null;
                }
                trace.Add(record with { Reset = reset });
                progress?.Report(step, record.Loss, settings.Lr);
            }
        }
        finally
        {
            foreach (var tensor in origin.Values) tensor.Dispose();
        }
        return (parameters.ToDictionary(p => p.Key, p => p.Value.detach()), trace);
    }

    /// <summary>One SAR step without the reset decision; leaves all gradients zero.</summary>
    private static SarStep Step(
        Dictionary<string, Tensor> parameters,
        Func<IReadOnlyDictionary<string, Tensor>, long, Tensor> logitsAt,
        long step,
        SarSettings settings,
        SgdMomentum optimizer,
        ref double? ema)
    {
        ZeroGrad(parameters.Values);

        // (1) Reliable samples at the current tensors.
        var (entropies, margin) = Entropies(logitsAt(parameters, step), step, settings.Margin);
        using Scalar e0 = margin.ToScalar();
        var keptFirst = entropies.lt(e0);
        int countFirst = Count(keptFirst);
        if (countFirst == 0) return new SarStep(step, 0, 0, double.NaN, double.NaN, ema, false);
        var loss = entropies.masked_select(keptFirst).mean();
        double lossValue = loss.to_type(ScalarType.Float64).item<double>();
        loss.backward();

        var saved = Perturb(parameters, settings.Rho);

        // (2) The same batch at the perturbed tensors; only first-pass samples may stay.
        var (perturbedEntropies, _) = Entropies(logitsAt(parameters, step), step, settings.Margin);
        var keptSecond = keptFirst.logical_and(perturbedEntropies.lt(e0));
        int countSecond = Count(keptSecond);
        double secondValue = double.NaN;
        if (countSecond > 0)
        {
            var secondLoss = perturbedEntropies.masked_select(keptSecond).mean();
            secondValue = secondLoss.to_type(ScalarType.Float64).item<double>();
            ema = ema is { } previous ? settings.EmaDecay * previous + (1 - settings.EmaDecay) * secondValue : secondValue;
            secondLoss.backward();
        }

        using (no_grad())
            foreach (var (name, parameter) in parameters) parameter.copy_(saved[name]);
        if (countSecond > 0) optimizer.Step(settings.Lr);
        ZeroGrad(parameters.Values);
        return new SarStep(step, countFirst, countSecond, lossValue, secondValue, ema, false);
    }

    /// <summary>One SAR step over <paramref name="microBatches"/> parts of the batch (see the accumulating
    /// <see cref="Run(IReadOnlyDictionary{string, Tensor}, Func{IReadOnlyDictionary{string, Tensor}, long, int, Tensor}, int, int, SarSettings, TrainingProgress?)"/>):
    /// each pass backpropagates every part's sum of kept entropies, then divides the gradients by the pass's kept count.</summary>
    private static SarStep AccumulatedStep(
        Dictionary<string, Tensor> parameters,
        Func<IReadOnlyDictionary<string, Tensor>, long, int, Tensor> logitsAt,
        int microBatches,
        long step,
        SarSettings settings,
        SgdMomentum optimizer,
        ref double? ema)
    {
        ZeroGrad(parameters.Values);

        // (1) Reliable samples at the current tensors, part by part; the masks are kept for the second pass.
        var keptFirst = new Tensor[microBatches];
        var (sumFirst, countFirst) = AccumulatePass(parameters, logitsAt, microBatches, step, settings.Margin, (micro, reliable) =>
            keptFirst[micro] = reliable.detach().MoveToOuterDisposeScope());
        if (countFirst == 0)
        {
            ZeroGrad(parameters.Values);
            return new SarStep(step, 0, 0, double.NaN, double.NaN, ema, false);
        }
        ScaleGradients(parameters.Values, 1.0 / countFirst);
        double lossValue = sumFirst / countFirst;

        var saved = Perturb(parameters, settings.Rho);

        // (2) The same parts at the perturbed tensors; only first-pass samples may stay.
        var (sumSecond, countSecond) = AccumulatePass(parameters, logitsAt, microBatches, step, settings.Margin, (micro, reliable) =>
            reliable.logical_and(keptFirst[micro]));
        double secondValue = double.NaN;
        if (countSecond > 0)
        {
            ScaleGradients(parameters.Values, 1.0 / countSecond);
            secondValue = sumSecond / countSecond;
            ema = ema is { } previous ? settings.EmaDecay * previous + (1 - settings.EmaDecay) * secondValue : secondValue;
        }

        using (no_grad())
            foreach (var (name, parameter) in parameters) parameter.copy_(saved[name]);
        if (countSecond > 0) optimizer.Step(settings.Lr);
        ZeroGrad(parameters.Values);
        return new SarStep(step, countFirst, countSecond, lossValue, secondValue, ema, false);
    }

    /// <summary>One pass over the parts: per part, the entropies, the kept mask (<paramref name="keep"/> of the reliable
    /// mask), and the backward pass of the kept entropies' sum. Returns the summed kept entropy and the kept count.</summary>
    private static (double Sum, int Count) AccumulatePass(
        Dictionary<string, Tensor> parameters,
        Func<IReadOnlyDictionary<string, Tensor>, long, int, Tensor> logitsAt,
        int microBatches,
        long step,
        double marginShare,
        Func<int, Tensor, Tensor> keep)
    {
        double sum = 0;
        int count = 0;
        for (int micro = 0; micro < microBatches; micro++)
        {
            // A scope per part frees its activations before the next part runs.
            using var scope = NewDisposeScope();
            var (entropies, margin) = Entropies(logitsAt(parameters, step, micro), step, marginShare);
            using Scalar e0 = margin.ToScalar();
            var kept = keep(micro, entropies.lt(e0));
            int partCount = Count(kept);
            if (partCount == 0) continue;
            var partSum = entropies.masked_select(kept).sum();
            sum += partSum.to_type(ScalarType.Float64).item<double>();
            count += partCount;
            partSum.backward();
        }
        return (sum, count);
    }

    /// <summary>SAM ascent θ += ρ·g/‖g‖, remembering the exact starting point (returned): restoring by copy (not by
    /// subtracting the perturbation) keeps the base step bit-for-bit at the unperturbed tensors. Leaves the gradients zero.</summary>
    private static Dictionary<string, Tensor> Perturb(Dictionary<string, Tensor> parameters, double rho)
    {
        var saved = parameters.ToDictionary(p => p.Key, p => p.Value.detach().clone());
        using (no_grad())
        {
            var grads = parameters.Values.Select(p => p.grad).OfType<Tensor>().ToList();
            double norm = grads.Count == 0 ? 0 : stack(grads.Select(g => g.norm().to_type(ScalarType.Float64)).ToArray()).norm().item<double>();
            using Scalar scale = (rho / (norm + NormEpsilon)).ToScalar();
            foreach (var parameter in parameters.Values)
                if (parameter.grad is { } grad) parameter.add_(grad, alpha: scale);
        }
        ZeroGrad(parameters.Values);
        return saved;
    }

    private static void ScaleGradients(IEnumerable<Tensor> parameters, double factor)
    {
        using Scalar scale = factor.ToScalar();
        using (no_grad())
            foreach (var parameter in parameters) parameter.grad?.mul_(scale);
    }

    /// <summary>Per-row entropies of the logits and the filter E0 = margin·ln(C) for their class count C.</summary>
    private static (Tensor Entropies, double E0) Entropies(Tensor logits, long step, double margin)
    {
        if (logits.dim() != 2 || logits.shape[1] < 2)
            throw new InvalidOperationException($"the logits of step {step} must be [N, C] with C ≥ 2, got [{string.Join(", ", logits.shape)}]");
        var entropies = EntropyLoss.PerRow(logits);
        if (!entropies.isfinite().all().item<bool>())
            throw new InvalidOperationException($"the logits became non-finite at step {step + 1}; lower the learning rate");
        return (entropies, margin * Math.Log(logits.shape[1]));
    }

    private static int Count(Tensor mask) => (int)mask.sum().item<long>();

    private static void ZeroGrad(IEnumerable<Tensor> parameters)
    {
        foreach (var parameter in parameters) parameter.grad?.zero_();
    }
}

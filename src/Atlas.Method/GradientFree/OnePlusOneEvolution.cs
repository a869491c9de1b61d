namespace Atlas.Method.GradientFree;

/// <summary>
/// A (1+1) evolution strategy with the one-fifth success rule, box-constrained: the derivative-free optimiser of
/// the gradient-free aTLAS variant (docs/method.md §M3.5). The released code uses nevergrad's <c>NGOpt</c> (budget 50, bounds
/// ±1.5, start 0), whose internal choice cannot be reproduced outside nevergrad; at that budget and dimension it is
/// essentially a (1+1) search, which this class implements deterministically.
/// </summary>
/// <remarks>
/// Algorithm, for start x₀ ∈ [l, u]ⁿ, initial step σ₀ &gt; 0 and budget B ≥ 1 evaluations of F:
/// <list type="number">
/// <item>x ← x₀, f ← F(x₀) (evaluation 1), σ ← min(σ₀, u − l).</item>
/// <item>While fewer than B evaluations: draw z ~ N(0, Iₙ); y ← clip(x + σ·z, l, u) (each coordinate projected onto
/// the box); f_y ← F(y).
/// If f_y ≤ f (success): x ← y, f ← f_y, σ ← σ·e^{1/3}; otherwise σ ← σ·e^{−1/12}. Then σ ← min(σ, u − l).</item>
/// <item>Return x and f: the parent is always the best point evaluated (elitist selection).</item>
/// </list>
/// The factors e^{1/3} up and e^{−1/12} = (e^{1/3})^{−1/4} down leave σ unchanged on average exactly when one
/// mutation in five succeeds (the one-fifth rule in the form of Auger, "Benchmarking the (1+1) evolution strategy
/// with one-fifth success rule on the BBOB-2009 function testbed", GECCO 2009). Accepting ties lets the search drift
/// across plateaus; the cap u − l stops σ growing without bound there. A NaN value counts as +∞ (never accepted,
/// and replaced by the first finite value if the start is NaN). Normals come from SplitMix64 + Box–Muller seeded
/// with the given seed, so a seed fixes the whole trace on any machine (given a deterministic objective).
/// Limitation: when the optimum lies on a face of the box, clipped mutations rarely succeed and σ can collapse
/// before the search reaches the face (the known premature convergence of the (1+1)-ES on constrained linear
/// problems); with the paper's ±1.5 box the coefficient optimum is normally interior.
/// </remarks>
public static class OnePlusOneEvolution
{
    /// <summary>The release's box for coefficients, [−1.5, 1.5]: the default bounds here. The few-shot stage passes its
    /// spec's <c>gradient_free.bound</c> (and budget and initial step) instead.</summary>
    public const double PaperBound = 1.5;

    private static readonly double SuccessFactor = Math.Exp(1.0 / 3);
    private static readonly double FailureFactor = Math.Exp(-1.0 / 12);

    /// <summary>Minimises <paramref name="objective"/> over the box [lower, upper]ⁿ with exactly
    /// <paramref name="budget"/> evaluations (see the type remarks).</summary>
    /// <param name="objective">F; called with a fresh copy of each point, one call at a time.</param>
    /// <param name="start">x₀ (n ≥ 1 finite coordinates inside the box); not modified.</param>
    /// <param name="budget">B ≥ 1, the exact number of calls of F.</param>
    /// <param name="initialStep">σ₀ &gt; 0.</param>
    /// <param name="seed">Seed of the normal draws.</param>
    /// <param name="lower">l (finite, below u).</param>
    /// <param name="upper">u (finite).</param>
    public static MinimizationResult Minimize(
        Func<double[], double> objective, double[] start, int budget, double initialStep, long seed,
        double lower = -PaperBound, double upper = PaperBound)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentOutOfRangeException.ThrowIfLessThan(budget, 1);
        if (start.Length == 0) throw new ArgumentException("the start point needs at least one coordinate", nameof(start));
        if (!double.IsFinite(initialStep) || initialStep <= 0)
            throw new ArgumentOutOfRangeException(nameof(initialStep), initialStep, "the initial step must be positive and finite");
        if (!double.IsFinite(lower) || !double.IsFinite(upper) || lower >= upper)
            throw new ArgumentException($"the bounds must be finite with lower < upper, got [{lower}, {upper}]");
        for (int i = 0; i < start.Length; i++)
            if (!(start[i] >= lower && start[i] <= upper))
                throw new ArgumentOutOfRangeException(nameof(start), $"start[{i}] = {start[i]} is outside [{lower}, {upper}]");

        var normals = new GaussianStream(seed);
        var trace = new List<ObjectiveEvaluation>(budget);
        double[] parent = (double[])start.Clone();
        double parentValue = objective((double[])parent.Clone());
        double maxStep = upper - lower, step = Math.Min(initialStep, maxStep);
        trace.Add(new ObjectiveEvaluation(0, (double[])parent.Clone(), parentValue, step, Accepted: true));

        for (int k = 1; k < budget; k++)
        {
            var child = new double[parent.Length];
            for (int i = 0; i < child.Length; i++) child[i] = Math.Clamp(parent[i] + step * normals.Next(), lower, upper);
            double value = objective((double[])child.Clone());
            bool success = !double.IsNaN(value) && value <= Rank(parentValue);
            trace.Add(new ObjectiveEvaluation(k, child, value, step, success));
            if (success)
            {
                parent = child;
                parentValue = value;
            }
            step = Math.Min(step * (success ? SuccessFactor : FailureFactor), maxStep);
        }
        return new MinimizationResult((double[])parent.Clone(), parentValue, trace, step);
    }

    private static double Rank(double value) => double.IsNaN(value) ? double.PositiveInfinity : value;
}

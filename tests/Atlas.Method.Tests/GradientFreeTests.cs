using Atlas.Method.GradientFree;

namespace Atlas.Method.Tests;

public class GradientFreeTests
{
    private const int Dimension = 10;

    // Optimum inside the paper's box [−1.5, 1.5], away from the start 0.
    private static readonly double[] Shift = [.. Enumerable.Range(0, Dimension).Select(i => -0.9 + 0.2 * i)];

    private static double ShiftedSphere(double[] x) => x.Select((v, i) => (v - Shift[i]) * (v - Shift[i])).Sum();

    [Fact]
    public void Minimises_a_shifted_sphere_within_the_budget()
    {
        int calls = 0;
        var result = OnePlusOneEvolution.Minimize(
            x => { calls++; return ShiftedSphere(x); }, new double[Dimension], budget: 500, initialStep: 0.3, seed: 1);

        Assert.Equal(500, calls);
        Assert.Equal(500, result.Trace.Count);
        Assert.True(result.BestValue < 1e-3, $"best value {result.BestValue}");
        Assert.Equal(ShiftedSphere(result.Best), result.BestValue);
        // Elitist: the best is the minimum of the trace, and the accepted values never increase.
        Assert.Equal(result.Trace.Min(e => e.Value), result.BestValue);
        var accepted = result.Trace.Where(e => e.Accepted).Select(e => e.Value).ToArray();
        Assert.True(accepted.Zip(accepted.Skip(1)).All(p => p.Second <= p.First));
        Assert.Equal(Enumerable.Range(0, 500), result.Trace.Select(e => e.Index));
        Assert.All(result.Trace[0].Point, v => Assert.Equal(0, v));
    }

    [Fact]
    public void Respects_the_budget_exactly_for_tiny_budgets()
    {
        foreach (int budget in new[] { 1, 2, 7, 50 })
        {
            int calls = 0;
            var result = OnePlusOneEvolution.Minimize(x => { calls++; return ShiftedSphere(x); }, new double[Dimension], budget, 0.5, seed: 3);
            Assert.Equal(budget, calls);
            Assert.Equal(budget, result.Trace.Count);
        }
    }

    [Fact]
    public void Stays_within_the_bounds()
    {
        // The optimum (3, …) lies outside [−1.5, 1.5]: the search presses against the upper faces and never crosses them.
        var points = new List<double[]>();
        var result = OnePlusOneEvolution.Minimize(
            x => { points.Add(x); return x.Sum(v => (v - 3) * (v - 3)); }, new double[Dimension], budget: 400, initialStep: 1.0, seed: 2);
        Assert.All(points.SelectMany(p => p), v => Assert.InRange(v, -1.5, 1.5));
        Assert.All(result.Trace.SelectMany(e => e.Point), v => Assert.InRange(v, -1.5, 1.5));
        // It moves every coordinate well toward the face; that it need not reach the corner exactly is the known
        // step-size collapse of the (1+1)-ES when the optimum lies on the boundary (see the class remarks).
        Assert.All(result.Best, v => Assert.True(v > 1.0, $"coordinate {v} should move toward the bound 1.5"));
        Assert.True(result.BestValue < result.Trace[0].Value / 3);

        var narrow = OnePlusOneEvolution.Minimize(ShiftedSphere, new double[Dimension], 200, 5.0, seed: 4, lower: -0.1, upper: 0.2);
        Assert.All(narrow.Trace.SelectMany(e => e.Point), v => Assert.InRange(v, -0.1, 0.2));
        Assert.True(narrow.Trace.Max(e => e.StepSize) <= 0.3 + 1e-12, "σ is capped at upper − lower");
    }

    [Fact]
    public void Same_seed_gives_the_same_trace_and_another_seed_differs()
    {
        MinimizationResult Run(long seed) =>
            OnePlusOneEvolution.Minimize(ShiftedSphere, new double[Dimension], budget: 120, initialStep: 0.3, seed: seed);
        var first = Run(11);
        var again = Run(11);
        var other = Run(12);
        Assert.Equal(first.Trace.Select(e => e.Value), again.Trace.Select(e => e.Value));
        Assert.Equal(first.Trace.SelectMany(e => e.Point), again.Trace.SelectMany(e => e.Point));
        Assert.Equal(first.Best, again.Best);
        Assert.NotEqual(first.Trace.Select(e => e.Value), other.Trace.Select(e => e.Value));
    }

    [Fact]
    public void Nan_values_are_never_accepted()
    {
        int calls = 0;
        var result = OnePlusOneEvolution.Minimize(
            x => ++calls % 2 == 0 ? double.NaN : ShiftedSphere(x), new double[Dimension], budget: 60, initialStep: 0.3, seed: 5);
        Assert.All(result.Trace.Where(e => double.IsNaN(e.Value)), e => Assert.False(e.Accepted));
        Assert.False(double.IsNaN(result.BestValue));
    }

    [Fact]
    public void Invalid_arguments_are_rejected()
    {
        var start = new double[Dimension];
        Assert.Throws<ArgumentOutOfRangeException>(() => OnePlusOneEvolution.Minimize(ShiftedSphere, start, 0, 0.3, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnePlusOneEvolution.Minimize(ShiftedSphere, start, 10, 0, 1));
        Assert.Throws<ArgumentException>(() => OnePlusOneEvolution.Minimize(ShiftedSphere, [], 10, 0.3, 1));
        Assert.Throws<ArgumentException>(() => OnePlusOneEvolution.Minimize(ShiftedSphere, start, 10, 0.3, 1, lower: 1, upper: 1));
        var outside = Assert.Throws<ArgumentOutOfRangeException>(
            () => OnePlusOneEvolution.Minimize(ShiftedSphere, [.. start[..9], 2.0], 10, 0.3, 1));
        Assert.Contains("start[9]", outside.Message);
    }
}

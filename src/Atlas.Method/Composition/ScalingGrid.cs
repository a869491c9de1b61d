namespace Atlas.Method.Composition;

/// <summary>Grids of scaling coefficients and the validation-driven choice among them (task arithmetic's α,
/// TIES's λ).</summary>
public static class ScalingGrid
{
    /// <summary><paramref name="count"/> evenly spaced values from <paramref name="start"/> to <paramref name="stop"/>
    /// inclusive, as numpy's <c>linspace</c> (start + i·step, last value exactly <paramref name="stop"/>).</summary>
    public static IReadOnlyList<double> Linspace(double start, double stop, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), "need at least one value");
        if (count == 1) return [start];
        double step = (stop - start) / (count - 1);
        var values = new double[count];
        for (int i = 0; i < count; i++) values[i] = start + i * step;
        values[^1] = stop;
        return values;
    }

    /// <summary>The grid value with the highest score; the first one on ties (so with an ascending grid the smallest
    /// such value). NaN scores never win.</summary>
    /// <param name="grid">Candidate values, in order.</param>
    /// <param name="score">The caller's validation objective (higher is better). To minimise, or to impose a
    /// constraint, return the negated value or <see cref="double.NegativeInfinity"/> for infeasible values.</param>
    /// <exception cref="InvalidOperationException">The grid is empty or every score is NaN.</exception>
    public static (double Value, double Score) SelectBest(IEnumerable<double> grid, Func<double, double> score)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(score);
        (double Value, double Score)? best = null;
        foreach (double value in grid)
        {
            double s = score(value);
            if (double.IsNaN(s)) continue;
            if (best is null || s > best.Value.Score) best = (value, s);
        }
        return best ?? throw new InvalidOperationException("no grid value has a score (empty grid or every score NaN)");
    }
}

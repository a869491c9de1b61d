namespace Atlas.Training;

/// <summary>The median, the statistic every step time of the project is reported with (robust to a stray slow step).</summary>
public static class Medians
{
    /// <summary>The middle value of <paramref name="values"/>, or the mean of the two middle ones.</summary>
    /// <exception cref="ArgumentException">There are no values.</exception>
    public static double Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("no values to take the median of", nameof(values));
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}

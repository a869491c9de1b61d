namespace Atlas.Stages;

/// <summary>Summaries of repeated runs (draws, targets) shown in result tables.</summary>
public static class TableStatistics
{
    /// <summary>Population standard deviation (0 for a single value): the spread of the runs themselves, not an estimate
    /// of a wider population's.</summary>
    public static double StandardDeviation(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
    }
}

namespace Atlas.Data.Tests;

public sealed class DataFractionTests
{
    private static readonly double[] PaperFractions = [0.01, 0.05, 0.1, 0.25, 0.35, 0.5, 1.0];

    [Theory]
    [InlineData(1000, 0.01, 10)]
    [InlineData(1000, 0.35, 350)]
    [InlineData(999, 0.5, 499)]
    [InlineData(50, 0.01, 1)]     // ⌊0.5⌋ = 0, raised to 1
    [InlineData(100, 0.29, 28)]   // 100 · 0.29 = 28.999… in double, as Python's int(N * f)
    [InlineData(7, 1.0, 7)]
    public void Size_is_the_floor_of_n_times_f_and_at_least_one(int count, double fraction, int size)
    {
        Assert.Equal(size, DataFraction.SubsetSize(count, fraction));
        Assert.Equal(size, DataFraction.Select(count, fraction, seed: 1).Length);
    }

    [Fact]
    public void Subsets_are_distinct_ascending_in_range_and_reproducible()
    {
        int[] subset = DataFraction.Select(500, 0.25, seed: 3);

        Assert.Equal(subset.Order(), subset);
        Assert.Equal(subset.Length, subset.Distinct().Count());
        Assert.All(subset, position => Assert.InRange(position, 0, 499));
        Assert.Equal(subset, DataFraction.Select(500, 0.25, seed: 3));
        Assert.NotEqual(subset, DataFraction.Select(500, 0.25, seed: 4));
    }

    [Fact]
    public void Fractions_of_one_seed_are_nested_prefixes_of_one_permutation()
    {
        int[] permutation = DataFraction.Permutation(1000, seed: 6);
        int[][] subsets = PaperFractions.Select(fraction => DataFraction.Select(1000, fraction, seed: 6)).ToArray();

        for (int i = 0; i < subsets.Length; i++)
        {
            Assert.Equal(permutation[..subsets[i].Length].Order(), subsets[i]);
            if (i > 0)
            {
                Assert.Subset(subsets[i].ToHashSet(), subsets[i - 1].ToHashSet());
            }
        }
        Assert.Equal(Enumerable.Range(0, 1000), subsets[^1]);
        Assert.NotEqual(Enumerable.Range(0, 1000), permutation);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Fractions_outside_zero_to_one_are_rejected_naming_the_value(double fraction)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => DataFraction.Select(100, fraction, seed: 1));

        Assert.Contains("(0, 1]", error.Message);
        Assert.Contains(fraction.ToString(), error.Message);
    }

    [Fact]
    public void An_empty_partition_is_rejected()
    {
        Assert.Contains("empty partition", Assert.Throws<ArgumentOutOfRangeException>(() => DataFraction.Select(0, 0.5, seed: 1)).Message);
    }
}

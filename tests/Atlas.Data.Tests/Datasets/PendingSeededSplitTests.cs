using Atlas.Data.Datasets.MatData;

namespace Atlas.Data.Tests.Datasets;

public sealed class PendingSeededSplitTests
{
    // Every expected index list below was printed by /usr/bin/python3 (torch 1.13):
    // random_split(range(n), [n - v, v], generator=torch.Generator().manual_seed(0)).

    [Theory]
    [InlineData(9, 0)]
    [InlineData(10, 1)]
    [InlineData(25, 2)]
    [InlineData(100, 10)]
    [InlineData(60000, 5000)]
    [InlineData(73257, 5000)]
    public void Validation_size_is_a_tenth_capped_at_5000(int count, int expected) =>
        Assert.Equal(expected, PendingSeededSplit.ValidationSize(count));

    [Fact]
    public void Small_splits_match_torch_random_split()
    {
        (int[] train10, int[] validation10) = PendingSeededSplit.Indices(10);
        Assert.Equal(MatDataFixtures.TorchTrain10, train10);
        Assert.Equal(MatDataFixtures.TorchValidation10, validation10);

        (int[] train25, int[] validation25) = PendingSeededSplit.Indices(25);
        Assert.Equal([19, 16, 6, 17, 5, 24, 11, 8, 14, 12, 21, 2, 15, 1, 22, 10, 13, 9, 7, 18, 3, 4, 20], train25);
        Assert.Equal([23, 0], validation25);

        (int[] train100, int[] validation100) = PendingSeededSplit.Indices(100);
        Assert.Equal([44, 19, 93, 90, 71, 69, 37, 95, 53, 91], train100[..10]);
        Assert.Equal(90, train100.Length);
        Assert.Equal([38, 27, 14, 73, 33, 58, 86, 43, 99, 51], validation100);
    }

    [Fact]
    public void Mnist_sized_split_starts_where_the_atlas_check_expects()
    {
        (int[] train, int[] validation) = PendingSeededSplit.Indices(60000);

        Assert.Equal(55000, train.Length);
        Assert.Equal(5000, validation.Length);
        Assert.Equal([36044, 10678, 57327, 55074, 21567], train[..5]);
        Assert.Equal([30102, 43764, 35133, 50409, 21161], validation[..5]);
        Assert.Equal(Enumerable.Range(0, 60000), train.Concat(validation).Order());
    }

    [Fact]
    public void Too_small_a_training_split_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PendingSeededSplit.Indices(9));
}

namespace Atlas.Data.Tests;

public sealed class OversamplingTests
{
    // The reference's float formula, for cross-checking the integer one.
    private static int ReferenceCopies(int count, int batch) =>
        count / (double)batch < 10 ? (int)(10 / (count / (double)batch)) + 1 : 1;

    [Theory]
    [InlineData(10, 129)]   // 1-shot, 10 classes: r = 0.078125, 10/r = 128 → 129 copies (1,290 positions ≈ 10.1 batches)
    [InlineData(40, 33)]    // 4-shot, 10 classes: r = 0.3125, 10/r = 32
    [InlineData(160, 9)]    // 16-shot, 10 classes: r = 1.25, 10/r = 8
    [InlineData(47, 28)]    // 1-shot DTD: r = 0.367…, 10/r = 27.23
    [InlineData(397, 4)]    // 1-shot SUN397: r = 3.10…, 10/r = 3.22
    [InlineData(1279, 2)]   // just under 10 batches
    [InlineData(1280, 1)]   // r = 10 exactly: unchanged
    [InlineData(3136, 1)]   // 16-shot Cars (196 classes): r = 24.5
    public void Copies_follow_int_of_10_over_r_plus_1_at_batch_128(int count, int copies)
    {
        Assert.Equal(copies, Oversampling.Copies(count, 128));
        Assert.Equal(ReferenceCopies(count, 128), Oversampling.Copies(count, 128));
    }

    [Fact]
    public void Integer_and_float_formulas_agree_over_a_range_of_sizes()
    {
        for (int count = 1; count <= 2000; count++)
        {
            Assert.Equal(ReferenceCopies(count, 128), Oversampling.Copies(count, 128));
        }
    }

    [Fact]
    public void Repeat_concatenates_whole_copies_in_order_and_leaves_long_lists_unchanged()
    {
        int[] positions = [5, 2, 9];

        int[] repeated = Oversampling.Repeat(positions, batchSize: 2, minBatches: 4);
        int[] unchanged = Oversampling.Repeat(positions, batchSize: 1, minBatches: 3);

        // r = 1.5 < 4: ⌊4 / 1.5⌋ + 1 = 3 copies.
        Assert.Equal([5, 2, 9, 5, 2, 9, 5, 2, 9], repeated);
        Assert.Equal(positions, unchanged);
        Assert.True(Oversampling.Repeat(Enumerable.Range(0, 10).ToArray(), 128).Length >= 10 * 128);
    }

    [Fact]
    public void Invalid_arguments_are_rejected_with_a_reason()
    {
        Assert.Contains("empty position list", Assert.Throws<ArgumentOutOfRangeException>(() => Oversampling.Repeat([], 128)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Oversampling.Copies(10, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Oversampling.Copies(10, 128, minBatches: 0));
    }
}

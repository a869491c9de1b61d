using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Atlas.Data.Datasets;

namespace Atlas.Data.Tests.Datasets;

public class SeededRandomSplitTests
{
    private static string Digest(IEnumerable<int> indices) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(string.Join(',', indices))));

    // n = 1,281,167 (ImageNet's train split) takes seconds: its own test, marked slow.
    private const int ImageNetCase = 9;

    [Fact]
    [Trait("Category", "Slow")]
    public void Split_matches_torch_1_13_random_split_for_imagenet_size() => Split_matches_torch_1_13_random_split(ImageNetCase);

    public static TheoryData<int> ReferenceCases()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < 14; i++)
        {
            if (i != ImageNetCase)
            {
                data.Add(i);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ReferenceCases))]
    public void Split_matches_torch_1_13_random_split(int caseIndex)
    {
        // Fixtures/RandomSplit/random_split_reference.json: torch 1.13's random_split, see the README there.
        using JsonDocument reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "RandomSplit", "random_split_reference.json")));
        JsonElement c = reference.RootElement.GetProperty("cases")[caseIndex];
        int n = c.GetProperty("n").GetInt32();
        int held = c.GetProperty("held").GetInt32();
        long seed = c.GetProperty("seed").GetInt64();

        var (kept, heldOut) = SeededRandomSplit.Split(n, held, seed);

        Assert.Equal(c.GetProperty("kept").GetInt32(), kept.Length);
        Assert.Equal(c.GetProperty("kept_head").EnumerateArray().Select(e => e.GetInt32()), kept.Take(5));
        Assert.Equal(c.GetProperty("held_head").EnumerateArray().Select(e => e.GetInt32()), heldOut.Take(5));
        Assert.Equal(c.GetProperty("held_tail").EnumerateArray().Select(e => e.GetInt32()), heldOut.TakeLast(5));
        Assert.Equal(c.GetProperty("kept_sha256").GetString(), Digest(kept));
        Assert.Equal(c.GetProperty("held_sha256").GetString(), Digest(heldOut));
    }

    [Fact]
    public void Mnist_permutation_starts_with_the_atlas_registry_check()
    {
        // src/datasets/registry.py: "# assert trainset.indices[0] == 36044" for MNISTVal.
        Assert.Equal(36044, SeededRandomSplit.Permutation(60000, 0)[0]);
    }

    [Theory]
    // Paper Table 5's train / val sizes: n = train + val before the carve-out.
    [InlineData(3760, 376)]      // DTD 3,384 / 376
    [InlineData(18900, 1890)]    // RESISC45 17,010 / 1,890
    [InlineData(19850, 1985)]    // SUN397 17,865 / 1,985
    [InlineData(1281167, 5000)]  // ImageNet 1,276,167 / 5,000
    [InlineData(75750, 5000)]    // Food101 70,750 / 5,000
    [InlineData(3680, 368)]      // OxfordIIITPet 3,312 / 368
    [InlineData(5994, 599)]      // CUB200 5,395 / 599
    [InlineData(24485, 2448)]    // Caltech256 22,037 / 2,448
    [InlineData(10, 1)]
    public void Validation_size_is_a_tenth_capped_at_5000(int trainCount, int expected)
    {
        Assert.Equal(expected, SeededRandomSplit.ValidationSize(trainCount));
    }

    [Fact]
    public void Validation_size_refuses_a_split_too_small_to_cut()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SeededRandomSplit.ValidationSize(9));
    }

    [Theory]
    [InlineData(8677, 6941)]   // Caltech101 without BACKGROUND_Google: Table 5 test 1,736 = 8,677 − 6,941
    [InlineData(30607, 24485)] // Caltech256: Table 5 test 6,122
    public void Caltech_train_size_is_four_fifths(int count, int expected)
    {
        Assert.Equal(expected, SeededRandomSplit.CaltechTrainSize(count));
    }

    [Fact]
    public void Carve_validation_picks_the_permutation_tail()
    {
        // torch 1.13: random_split(range(12), [11, 1], Generator().manual_seed(0)) -> [8, 0, 5, ...], [6].
        string[] items = Enumerable.Range(0, 12).Select(i => $"s{i}").ToArray();
        var (train, validation) = SeededRandomSplit.CarveValidation(items);
        Assert.Equal(["s6"], validation);
        Assert.Equal(["s8", "s0", "s5"], train.Take(3));
        Assert.Equal(11, train.Count);
    }
}

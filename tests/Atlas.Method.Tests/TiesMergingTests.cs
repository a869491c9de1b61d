using Atlas.Method.Composition;
using static Atlas.Method.Tests.Fixtures;
using static TorchSharp.torch;

namespace Atlas.Method.Tests;

public class TiesMergingTests
{
    // Two blocks, "a" [2] and "b" [3]: 5 entries per task vector, trimmed over the whole vector.
    private static readonly string[] Blocks = ["a", "b"];

    private static Dictionary<string, Tensor> Vector(float[] a, float[] b) => new() { ["a"] = tensor(a), ["b"] = tensor(b) };

    private static Dictionary<string, Tensor> Zeros() => new() { ["a"] = zeros(2), ["b"] = zeros(3) };

    private static void AssertValues(double[] expected, Tensor actual) =>
        Assert.Equal(expected, Doubles(actual), (x, y) => Math.Abs(x - y) < 1e-6);

    /// <summary>The three task vectors of the hand-worked example (2 + 3 entries each) over <paramref name="pretrained"/>.</summary>
    private static TaskVectorPool HandWorkedPool(Dictionary<string, Tensor> pretrained) => new(pretrained, Blocks,
    [
        ("t1", Vector([0.5f, -0.1f], [0.3f, -0.8f, 0.05f])),
        ("t2", Vector([-0.4f, 0.2f], [0.6f, 0.1f, -0.02f])),
        ("t3", Vector([0.8f, 0.7f], [-0.9f, 0.2f, 0.01f])),
    ]);

    [Fact]
    public void Hand_worked_example()
    {
        using var scope = NewDisposeScope();
        var pretrained = Zeros();
        using var pool = HandWorkedPool(pretrained);

        var flat = TiesMerging.Flatten(pool);
        AssertValues([0.5, -0.1, 0.3, -0.8, 0.05, -0.4, 0.2, 0.6, 0.1, -0.02, 0.8, 0.7, -0.9, 0.2, 0.01], flat);

        // Top 40% of 5 entries = 2 per task vector, by magnitude over both blocks together.
        var trimmed = TiesMerging.Trim(flat, 0.4);
        AssertValues(
        [
            0.5, 0, 0, -0.8, 0,   // t1 keeps |0.5|, |−0.8|
            -0.4, 0, 0.6, 0, 0,   // t2 keeps |−0.4|, |0.6|
            0.8, 0, -0.9, 0, 0,   // t3 keeps |0.8|, |−0.9| (not 0.7)
        ], trimmed);

        // Sums [0.9, 0, −0.3, −0.8, 0] → signs [+, 0, −, −, 0]; the zeros take the majority sign(1 − 1 − 1) = −.
        var signs = TiesMerging.ElectSigns(trimmed);
        AssertValues([1, -1, -1, -1, -1], signs);

        // Means over agreeing nonzero entries: (0.5 + 0.8)/2, none, −0.9 (0.6 disagrees), −0.8, none.
        var merged = TiesMerging.DisjointMean(trimmed, signs);
        AssertValues([0.65, 0, -0.9, -0.8, 0], merged);

        var byBlock = TiesMerging.Merge(pool, 0.4);
        AssertValues([0.65, 0], byBlock["a"]);
        AssertValues([-0.9, -0.8, 0], byBlock["b"]);

        // θ0 + λ·τ_m through the same engine.
        using var tiesPool = TiesMerging.MergeToPool(pretrained, pool, 0.4);
        Assert.Equal(["ties"], tiesPool.TaskNames);
        var weights = TaskArithmetic.Apply(pretrained, tiesPool, 0.5);
        AssertValues([0.325, 0], weights["a"]);
        AssertValues([-0.45, -0.4, 0], weights["b"]);
    }

    [Fact]
    public void Zero_sum_entries_take_the_majority_sign()
    {
        using var scope = NewDisposeScope();
        var pretrained = new Dictionary<string, Tensor> { ["a"] = zeros(3) };
        using var pool = new TaskVectorPool(pretrained, ["a"],
        [
            ("t1", new Dictionary<string, Tensor> { ["a"] = tensor(new[] { 1f, 2f, 0.5f }) }),
            ("t2", new Dictionary<string, Tensor> { ["a"] = tensor(new[] { -1f, 1f, -0.25f }) }),
        ]);
        var trimmed = TiesMerging.Trim(TiesMerging.Flatten(pool), 1.0);
        var signs = TiesMerging.ElectSigns(trimmed); // sums [0, 3, 0.25] → [0, +, +] → majority +
        AssertValues([1, 1, 1], signs);
        AssertValues([1, 1.5, 0.5], TiesMerging.DisjointMean(trimmed, signs));
    }

    [Fact]
    public void Trim_keeps_ties_at_the_threshold_and_handles_the_extremes()
    {
        using var scope = NewDisposeScope();
        var vectors = tensor(new[] { 3f, -3f, 1f, 0.5f, -2f, 4f }, 2, 3);
        AssertValues([3, -3, 0, 0, 0, 4], TiesMerging.Trim(vectors, 1.0 / 3));
        AssertValues([0, 0, 0, 0, 0, 0], TiesMerging.Trim(vectors, 0));
        AssertValues([3, -3, 1, 0.5, -2, 4], TiesMerging.Trim(vectors, 1));
        AssertValues([3, -3, 1, 0.5, -2, 4], vectors); // input untouched
        Assert.Throws<ArgumentOutOfRangeException>(() => TiesMerging.Trim(vectors, 1.5));
    }

    [Fact]
    public void Trim_scope_over_the_whole_state_dict_keeps_more_of_the_pool()
    {
        using var scope = NewDisposeScope();
        // The hand-worked pool (5 entries per vector) inside a checkpoint with 5 more entries, a text block that no task
        // vector changes. Top 20% of the pool alone is k = 1; of the whole state dict it is k = round(0.2 · 10) = 2, and
        // both kept entries come from the pool.
        var pretrained = Zeros();
        using var pool = HandWorkedPool(pretrained);
        Assert.Equal(1, TiesMerging.KeepCount(5, 0.2));
        Assert.Equal(2, TiesMerging.KeepCount(5, 0.2, zeroEntriesOutside: 5));

        // Image tower: t1 keeps −0.8, t2 0.6, t3 −0.9. Sums [0, 0, −0.3, −0.8, 0] → every sign − (majority −);
        // entry 2 keeps −0.9 (0.6 disagrees), entry 3 −0.8.
        var flat = TiesMerging.Flatten(pool);
        AssertValues([0, 0, 0, -0.8, 0, 0, 0, 0.6, 0, 0, 0, 0, -0.9, 0, 0], TiesMerging.Trim(flat, 0.2));
        var tower = TiesMerging.Merge(pool, 0.2);
        AssertValues([0, 0], tower["a"]);
        AssertValues([-0.9, -0.8, 0], tower["b"]);

        // State dict: t1 keeps 0.5, −0.8; t2 −0.4, 0.6; t3 0.8, −0.9 (the 40% example): entry 0 becomes (0.5 + 0.8)/2.
        AssertValues([0.5, 0, 0, -0.8, 0, -0.4, 0, 0.6, 0, 0, 0.8, 0, -0.9, 0, 0], TiesMerging.Trim(flat, 0.2, zeroEntriesOutside: 5));
        var stateDict = TiesMerging.Merge(pool, 0.2, zeroEntriesOutside: 5);
        AssertValues([0.65, 0], stateDict["a"]);
        AssertValues([-0.9, -0.8, 0], stateDict["b"]);

        // A scope so large that k exceeds the pool keeps every entry of the pool.
        Assert.Equal(7, TiesMerging.KeepCount(5, 0.2, zeroEntriesOutside: 30));
        AssertValues([.. Doubles(flat)], TiesMerging.Trim(flat, 0.2, zeroEntriesOutside: 30));
    }
}

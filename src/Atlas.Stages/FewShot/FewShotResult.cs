namespace Atlas.Stages.FewShot;

/// <summary>One few-shot run: a (shots, seed) draw and the test accuracy (%) of every method on it.</summary>
/// <param name="Shots">k, images per class.</param>
/// <param name="Draw">Index of the draw (0 .. seeds − 1).</param>
/// <param name="Seed">The seed of the k-shot sample and of the run's batches.</param>
/// <param name="Positions">The k-shot images: positions in the task's train partition.</param>
/// <param name="AtlasEpoch">The epoch aTLAS kept (0: Λ = 0, zero-shot).</param>
/// <param name="Accuracy">Test accuracy by method.</param>
public sealed record FewShotRun(int Shots, int Draw, ulong Seed, IReadOnlyList<int> Positions, int AtlasEpoch, IReadOnlyDictionary<string, double> Accuracy);

/// <summary>Every few-shot run of one target task.</summary>
public sealed record FewShotResult(string Target, IReadOnlyList<string> Pool, IReadOnlyList<FewShotRun> Runs);

/// <summary>The few-shot methods, as table rows.</summary>
public static class FewShotMethods
{
    public const string ZeroShot = "zero_shot";
    /// <summary>The linear probe: an extra baseline, not one of the paper's (Tip-Adapter and LP++), hence its label.</summary>
    public const string LinearProbe = "linear_probe_not_in_paper";
    public const string TipAdapter = "tip_adapter";
    public const string LpPlusPlus = "lp_plus_plus";
    public const string Atlas = "atlas";
    public const string AtlasTip = "atlas_tip_adapter";
    public const string AtlasLpp = "atlas_lp_plus_plus";
    public const string AtlasGradientFree = "atlas_gradient_free";

    public static IReadOnlyList<string> All { get; } =
        [ZeroShot, LinearProbe, TipAdapter, LpPlusPlus, Atlas, AtlasTip, AtlasLpp, AtlasGradientFree];
}

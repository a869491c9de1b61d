using Atlas.Method.Composition;
using Atlas.Models;
using Atlas.Pipeline.Specs;
using Atlas.Stages.Addition;

namespace Atlas.Stages.Tests;

/// <summary>The task-addition baselines' reference settings: TIES's trim scope and AdaMerging's coefficient layout.</summary>
public sealed class AdditionBaselineTests
{
    private static long Entries(IEnumerable<(string Name, long[] Shape)> parameters) =>
        parameters.Sum(p => p.Shape.Aggregate(1L, (a, b) => a * b));

    [Fact]
    public void Ties_state_dict_scope_counts_the_text_side_of_the_image_encoder_checkpoint()
    {
        // ViT-B/32 image tower: conv1 768·3·32·32 = 2,359,296, class embedding 768, positional 50·768 = 38,400, ln_pre
        // and ln_post 2·1,536, proj 768·512 = 393,216, 12 layers of 7,087,872: 87,849,216 entries. Text side of the
        // reference checkpoint (CLIP minus the text transformer): positional 77·512 = 39,424, text_projection 512·512 =
        // 262,144, logit_scale 1, token_embedding 49,408·512 = 25,296,896, ln_final 1,024: 25,599,489.
        var b32 = ClipConfig.VitB32;
        var tower = ClipParameterNames.Visual(b32);
        Assert.Equal(87_849_216, Entries(ClipParameterNames.Shapes(b32).Where(p => tower.Contains(p.Name))));
        Assert.Equal(25_599_489, AdditionStage.TiesZeroEntriesOutside(b32, tower, TiesTrimScope.StateDict));
        Assert.Equal(0, AdditionStage.TiesZeroEntriesOutside(b32, tower, TiesTrimScope.ImageTower));
        // Top 20% of 113,448,705 entries = 22,689,741, all from the tower: 25.83% of it (the 25.8%).
        Assert.Equal(22_689_741, TiesMerging.KeepCount(87_849_216, 0.2, 25_599_489));

        // The mini: tower 158,592 entries (3 layers of 49,984 and 8,640 outside them); text side 16·64 + 64·64 + 1 +
        // 2,048·64 + 2·64 = 136,321; top 20% of the state dict = 0.2 · 294,913 = 58,982.6 → 58,983 = 37.19% of the tower.
        var mini = ClipConfig.Mini;
        var miniTower = ClipParameterNames.Visual(mini);
        Assert.Equal(158_592, Entries(ClipParameterNames.Shapes(mini).Where(p => miniTower.Contains(p.Name))));
        Assert.Equal(136_321, AdditionStage.TiesZeroEntriesOutside(mini, miniTower, TiesTrimScope.StateDict));
        Assert.Equal(58_983, TiesMerging.KeepCount(158_592, 0.2, 136_321));
    }

    [Fact]
    public void AdaMerging_learns_one_coefficient_per_tensor_by_default()
    {
        // The mini tower has 44 tensors (6 before the 3 layers of 12, 2 after): the reference's per-tensor λ is [T, 44];
        // the per-layer option is [T, 3 layers + embeddings + output].
        var blocks = ClipParameterNames.Visual(ClipConfig.Mini);
        Assert.Equal(AdaMergingGranularity.PerTensor, new AdaMergingSpec().Granularity);
        using var perTensor = AdditionStage.AdaMergingLayout(new AdaMergingSpec().Granularity, blocks);
        Assert.Equal([8L, 44], perTensor.CoefficientShape(8));
        using var perLayer = AdditionStage.AdaMergingLayout(AdaMergingGranularity.PerLayer, blocks);
        Assert.Equal([8L, 5], perLayer.CoefficientShape(8));
    }
}

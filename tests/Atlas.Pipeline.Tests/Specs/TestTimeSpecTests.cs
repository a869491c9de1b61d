using Atlas.Pipeline.Specs;
using static Atlas.Pipeline.Tests.Specs.SpecFixture;

namespace Atlas.Pipeline.Tests.Specs;

/// <summary>The test-time section: SAR's and UFM's protocol constants are spec fields whose defaults are the reference
/// values (so a change shows in the stage's lock parameters), the typed options load, and inconsistent values are
/// located.</summary>
public sealed class TestTimeSpecTests
{
    // The valid fixture has 43 lines, so an appended section starts at line 44.
    private const string TestTime = """
        test_time:
          targets: [mnist_parity]
          learn: { lr: 0.001, epochs: 10, batch: 128, schedule: cosine, crop_scale: [0.5, 1.0] }

        """;

    [Fact]
    public void Test_time_loads_with_the_reference_defaults()
    {
        var section = SpecLoader.Parse(ValidYaml + TestTime, "valid.yaml", Context).TestTime!;
        // SAR's released code (sar.py, aTLAS's entropy_sar): ρ 0.05, E0 = 0.4·ln C, reset below 0.2, SGD momentum 0.9,
        // EMA 0.9·EMA + 0.1·loss, on the TIP-augmented test images.
        var sar = section.Sar;
        Assert.Equal((SarViews.Augmented, 0.05, 0.4, 0.2, 0.9, 0.9), (sar.Views, sar.Rho, sar.Margin, sar.ResetThreshold, sar.Momentum, sar.EmaDecay));
        // Paper App. E and the ssl branch: per-predicted-class trusted set each epoch, k = min(⌊N/C/10⌋, 100), ¼ of each
        // batch trusted, q^{1/2} sharpening, threshold 0.9 + e/(10E).
        var ufm = section.Ufm;
        Assert.Equal((UfmTrustedSet.PerPredictedClassEachEpoch, 10, 100, 0.25, 2.0, 0.9, 0.1),
            (ufm.TrustedSet, ufm.TrustedDivisor, ufm.TrustedCap, ufm.TrustedShare, ufm.Temperature, ufm.ThresholdStart, ufm.ThresholdRise));
    }

    [Fact]
    public void Test_time_options_load_by_their_spec_names()
    {
        var section = SpecLoader.Parse(ValidYaml + TestTime +
            "  sar: { views: plain, rho: 0.1, ema_decay: 0.5 }\n  ufm: { trusted_set: per_column_zero_shot, trusted_share: 0.5, temperature: 1 }\n",
            "valid.yaml", Context).TestTime!;
        Assert.Equal((SarViews.Plain, 0.1, 0.5, 0.4), (section.Sar.Views, section.Sar.Rho, section.Sar.EmaDecay, section.Sar.Margin));
        Assert.Equal((UfmTrustedSet.PerColumnZeroShot, 0.5, 1.0, 10), (section.Ufm.TrustedSet, section.Ufm.TrustedShare, section.Ufm.Temperature, section.Ufm.TrustedDivisor));
        Assert.Equal("per_column_zero_shot", SpecNames.Of(UfmTrustedSet.PerColumnZeroShot));
        Assert.Equal("per_predicted_class_each_epoch", SpecNames.Of(UfmTrustedSet.PerPredictedClassEachEpoch));
    }

    [Fact]
    public void A_trusted_share_that_leaves_no_trusted_image_is_located()
    {
        // ⌊8·0.1⌋ = 0 trusted images per batch.
        AssertErrors(ValidYaml + TestTime.Replace("batch: 128", "batch: 8") + "  ufm: { trusted_share: 0.1 }\n",
            "47:25: test_time.ufm.trusted_share: a batch of 8 with a trusted share of 0.1 holds 0 trusted images; it needs at least one trusted and one unlabelled image");
        AssertErrors(ValidYaml + TestTime + "  ufm: { threshold_start: 0.95, threshold_rise: 0.1 }\n",
            "47:49: test_time.ufm.threshold_rise: the threshold would rise from 0.95 past 1");
    }

    [Fact]
    public void Schema_publishes_the_test_time_constants_with_their_defaults()
    {
        var schema = System.Text.Json.Nodes.JsonNode.Parse(SpecSchema.Generate())!["$defs"]!;
        Assert.Equal(0.05, (double)schema["SarSpec"]!["properties"]!["rho"]!["default"]!);
        Assert.Equal("augmented", (string)schema["SarSpec"]!["properties"]!["views"]!["default"]!);
        Assert.Equal("per_predicted_class_each_epoch", (string)schema["UfmSpec"]!["properties"]!["trusted_set"]!["default"]!);
        Assert.Equal(100, (int)schema["UfmSpec"]!["properties"]!["trusted_cap"]!["default"]!);
    }
}

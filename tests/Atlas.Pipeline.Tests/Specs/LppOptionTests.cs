using Atlas.Pipeline.Specs;

namespace Atlas.Pipeline.Tests.Specs;

/// <summary>LP++'s typed choices: the authors' code is the default (its optimiser and its class-mean α), the aTLAS
/// wrapper's AdamW and a per-class α are named options, spelt as the spec and the lock record write them.</summary>
public sealed class LppOptionTests
{
    [Fact]
    public void Lpp_defaults_to_the_authors_optimiser_and_their_class_mean_alpha()
    {
        var adapters = new AdapterTraining();
        Assert.Equal(LppOptimizer.Original, adapters.LppOptimizer);
        Assert.Equal(LppAlphaInit.ClassMean, adapters.LppAlphaInit);
        Assert.Equal(300, adapters.LppEpochs);
    }

    [Fact]
    public void Lpp_option_names_are_snake_case()
    {
        Assert.Equal(["original", "atlas_adam_w"], SpecNames.All(typeof(LppOptimizer)));
        Assert.Equal(["class_mean", "per_class"], SpecNames.All(typeof(LppAlphaInit)));
        Assert.Equal(LppOptimizer.AtlasAdamW, SpecNames.Parse(typeof(LppOptimizer), "atlas_adam_w"));
    }
}

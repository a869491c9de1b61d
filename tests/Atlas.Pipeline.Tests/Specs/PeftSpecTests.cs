using Atlas.Pipeline.Specs;
using static Atlas.Pipeline.Tests.Specs.SpecFixture;

namespace Atlas.Pipeline.Tests.Specs;

/// <summary>The block-selection and PEFT sections: the paper's defaults, and errors located at the offending field.</summary>
public sealed class PeftSpecTests
{
    // The valid fixture has 43 lines, so an appended section starts at line 44.
    private const string Peft = """
        peft:
          targets: [mnist_parity]
          epochs: 5
          batch: 32

        """;

    private const string BlockSelection = """
        block_selection:
          targets: [mnist_parity]
          learn: { lr: 0.1, epochs: 10, batch: 32, schedule: cosine }

        """;

    [Fact]
    public void Peft_loads_with_the_papers_defaults()
    {
        var peft = SpecLoader.Parse(ValidYaml + Peft, "valid.yaml", Context).Peft!;
        Assert.Equal([0.01, 0.05, 0.1, 0.25, 0.5, 1.0], peft.Fractions);
        Assert.Equal([0.5, 1.0], peft.CropScale);
        Assert.Equal((0.1, 0.1, 0.0, ModelSelection.Validation), (peft.Atlas.Lr, peft.Atlas.WeightDecay, peft.Atlas.WarmupFraction, peft.Atlas.Selection));
        Assert.Equal([10], peft.Atlas.Partitions);
        Assert.Equal((PartitionScopeOption.PerTensor, PartitionBlocksOption.All), (peft.Atlas.PartitionScope, peft.Atlas.PartitionBlocks));
        Assert.Equal((16, 32.0, 1e-3, ModelSelection.Last), (peft.Lora.Rank, peft.Lora.Alpha, peft.Lora.Lr, peft.Lora.Selection));
        Assert.Equal((1e-5, 0.1, ModelSelection.Last), (peft.Full.Lr, peft.Full.WarmupFraction, peft.Full.Selection));
        Assert.Equal(["atlas_x10", "lora_r16", "full_finetune"], PeftVariants.Of(peft).Select(v => v.Name));
        // The paper composes LoRA task vectors (App. F), fine-tuned at r 16, α 32, lr 1e-3 (App. D.7).
        Assert.Equal(PeftVectorPool.Lora, peft.Atlas.Pool);
        Assert.Equal((16, 32.0, 1e-3), (peft.Atlas.LoraVectors.Rank, peft.Atlas.LoraVectors.Alpha, peft.Atlas.LoraVectors.Lr));
        Assert.Equal(["atlas_x10", "atlas_x80", "lora_r16"],
            PeftVariants.Of(peft with { Methods = [PeftMethod.Atlas, PeftMethod.Lora], Atlas = peft.Atlas with { Partitions = [10, 80] } })
                .Select(v => v.Name));
    }

    [Fact]
    public void Unordered_or_out_of_range_fractions_are_located()
    {
        AssertErrors(ValidYaml + Peft + "  fractions: [0.5, 0.1]\n", "48:20: peft.fractions[1]: fractions must be ascending, got 0.1 after 0.5");
        AssertErrors(ValidYaml + Peft + "  fractions: [0, 1]\n", "48:15: peft.fractions[0]: must be > 0 and <= 1, got 0");
    }

    [Fact]
    public void Duplicate_methods_and_partitions_and_unknown_selection_are_located()
    {
        AssertErrors(ValidYaml + Peft + "  methods: [lora, lora]\n  atlas: { partitions: [10, 10] }\n",
            "48:19: peft.methods[1]: method 'lora' is listed twice",
            "49:29: peft.atlas.partitions[1]: K = 10 is listed twice");
        AssertErrors(ValidYaml + Peft + "  lora: { selection: best }\n",
            "48:22: peft.lora.selection: must be one of validation, last; got 'best'");
    }

    [Fact]
    public void Task_vector_pool_round_trips_and_a_typo_is_located()
    {
        var spec = SpecLoader.Parse(ValidYaml + Peft + "  atlas: { pool: full, lora_vectors: { rank: 8, alpha: 16, lr: 0.002 } }\n", "valid.yaml", Context);
        Assert.Equal(PeftVectorPool.Full, spec.Peft!.Atlas.Pool);
        Assert.Equal((8, 16.0, 0.002), (spec.Peft.Atlas.LoraVectors.Rank, spec.Peft.Atlas.LoraVectors.Alpha, spec.Peft.Atlas.LoraVectors.Lr));

        var yaml = SpecWriter.ToResolvedYaml(spec);
        Assert.Contains("pool: full", yaml);
        var reloaded = SpecLoader.Parse(yaml, "resolved.yaml", Context).Peft!;
        Assert.Equal((PeftVectorPool.Full, 8, 16.0, 0.002),
            (reloaded.Atlas.Pool, reloaded.Atlas.LoraVectors.Rank, reloaded.Atlas.LoraVectors.Alpha, reloaded.Atlas.LoraVectors.Lr));
        Assert.Equal(yaml, SpecWriter.ToResolvedYaml(SpecLoader.Parse(yaml, "resolved.yaml", Context)));

        AssertErrors(ValidYaml + Peft + "  atlas: { pool: lor }\n",
            "48:18: peft.atlas.pool: must be one of lora, full; got 'lor'; did you mean 'lora'?");
        AssertErrors(ValidYaml + Peft + "  atlas: { lora_vectors: { rank: 0 } }\n",
            "48:34: peft.atlas.lora_vectors.rank: must be >= 1, got 0");
    }

    [Fact]
    public void Block_selection_budgets_must_be_ascending_and_below_the_pool_size()
    {
        // The fixture has two tasks, so a target's pool holds one vector and no budget is below it.
        AssertErrors(ValidYaml + BlockSelection + "  budgets: [1]\n",
            "47:13: block_selection.budgets[0]: a budget must be less than the 1 task vectors of a target's pool (the full pool is always run), got 1");
        AssertErrors(ValidYaml + BlockSelection + "  budgets: [2, 1]\n",
            "47:13: block_selection.budgets[0]: a budget must be less than the 1 task vectors of a target's pool (the full pool is always run), got 2",
            "47:16: block_selection.budgets[1]: budgets must be ascending, got 1 after 2");
    }
}

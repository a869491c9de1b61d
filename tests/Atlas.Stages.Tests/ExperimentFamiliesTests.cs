using Atlas.Pipeline.Specs;
using Atlas.Stages.Tests.Support;

namespace Atlas.Stages.Tests;

/// <summary>The family registry, read from a spec alone (no stage runs): what each family adds, in registry order, and
/// that a family whose section is absent adds nothing.</summary>
public sealed class ExperimentFamiliesTests
{
    private static ExperimentSpec Micro => SpecLoader.Parse(MicroSpec.Text, "micro.yaml", ExperimentSession.Known);

    [Fact]
    public void Each_family_declares_its_stages_tables_and_figures_from_its_section()
    {
        var spec = Micro;
        var stages = ExperimentFamilies.All.Select(f => f.Stages(spec).Select(s => s.Id).ToList()).ToList();

        // Written out by hand from micro.yaml: three tasks, five addition methods, one target per other family.
        Assert.Equal(
        [
            "data", "pretrain",
            "heads/mnist", "heads/mnist_parity", "heads/fashion_coarse",
            "finetune/mnist", "finetune/mnist_parity", "finetune/fashion_coarse",
            "taskvector/mnist", "taskvector/mnist_parity", "taskvector/fashion_coarse",
            "evaluate/mnist", "evaluate/mnist_parity", "evaluate/fashion_coarse",
        ], stages[0]);
        Assert.Equal(["addition/task_arithmetic", "addition/ties", "addition/adamerging", "addition/atlas_isotropic", "addition/atlas_blockwise"], stages[1]);
        Assert.Equal(["negation/mnist"], stages[2]);
        Assert.Equal(["fewshot/fashion_coarse"], stages[3]);
        Assert.Equal(["tta/mnist_parity"], stages[4]);
        Assert.Equal(["selection/mnist_parity"], stages[5]);
        // The PEFT pool composes LoRA task vectors (the default): a LoRA fine-tune and vector per pool task come first.
        Assert.Equal(
            ["finetune_lora/mnist", "finetune_lora/mnist_parity", "taskvector_lora/mnist", "taskvector_lora/mnist_parity", "peft/fashion_coarse"],
            stages[6]);

        Assert.Equal(["finetune_accuracy", "task_addition", "task_negation", "few_shot", "test_time_adaptation", "block_selection", "peft"],
            ExperimentFamilies.All.SelectMany(f => f.Tables(spec)));
        Assert.Equal(["block_selection_cost", "peft_cost"], ExperimentFamilies.All.SelectMany(f => f.CostTables(spec)));
        Assert.Equal(["addition_coefficients", "few_shot_accuracy_fashion_coarse", "block_selection_accuracy", "peft_accuracy"],
            ExperimentFamilies.All.SelectMany(f => f.Figures(spec)));
    }

    [Fact]
    public void Family_without_its_section_adds_nothing()
    {
        var spec = Micro with { TestTime = null, Addition = Micro.Addition! with { Methods = [CompositionMethod.Ties] } };

        Assert.DoesNotContain(ExperimentFamilies.All.SelectMany(f => f.Stages(spec)), s => s.Id.StartsWith("tta/", StringComparison.Ordinal));
        Assert.DoesNotContain("test_time_adaptation", ExperimentFamilies.All.SelectMany(f => f.Tables(spec)));
        // The coefficient heatmap belongs to blockwise aTLAS: without it, the addition family draws nothing.
        Assert.DoesNotContain("addition_coefficients", ExperimentFamilies.All.SelectMany(f => f.Figures(spec)));
        Assert.Equal(["addition/ties"], ExperimentFamilies.All.SelectMany(f => f.Stages(spec)).Select(s => s.Id).Where(id => id.StartsWith("addition/", StringComparison.Ordinal)));
    }

    [Fact]
    public void Target_families_compose_every_other_tasks_vector()
    {
        var spec = Micro;
        var peft = ExperimentFamilies.All.SelectMany(f => f.Stages(spec)).Single(s => s.Id == "peft/fashion_coarse");

        // The pool's (LoRA) task vectors and the target's evaluation are what the stage waits for.
        Assert.Equal(
            ["taskvector_lora/mnist", "taskvector_lora/mnist_parity", "evaluate/fashion_coarse"],
            peft.DependsOn.Where(d => d.StartsWith("taskvector", StringComparison.Ordinal) || d.StartsWith("evaluate/", StringComparison.Ordinal)));
    }

    [Fact]
    public void Lora_stages_exist_only_when_aTLAS_composes_lora_task_vectors()
    {
        var spec = Micro;
        static List<string> Ids(ExperimentSpec s) => [.. ExperimentFamilies.All.SelectMany(f => f.Stages(s)).Select(st => st.Id)];
        Assert.Equal(["pretrain", "finetune_lora/mnist"], ExperimentFamilies.All.SelectMany(f => f.Stages(spec))
            .Single(s => s.Id == "taskvector_lora/mnist").DependsOn);

        var full = spec with { Peft = spec.Peft! with { Atlas = spec.Peft.Atlas with { Pool = PeftVectorPool.Full } } };
        Assert.DoesNotContain(Ids(full), id => id.Contains("_lora/", StringComparison.Ordinal));
        var peft = ExperimentFamilies.All.SelectMany(f => f.Stages(full)).Single(s => s.Id == "peft/fashion_coarse");
        Assert.Equal(["taskvector/mnist", "taskvector/mnist_parity"], peft.DependsOn.Where(d => d.StartsWith("taskvector", StringComparison.Ordinal)));

        // Without aTLAS no pool is composed, so no LoRA task vector is needed.
        var noAtlas = spec with { Peft = spec.Peft! with { Methods = [PeftMethod.Lora, PeftMethod.Full] } };
        Assert.DoesNotContain(Ids(noAtlas), id => id.Contains("_lora/", StringComparison.Ordinal));
        Assert.Contains("peft/fashion_coarse", Ids(noAtlas));
    }
}

using Atlas.Stages.Tests.Support;
using Atlas.Stages.Addition;
using Atlas.Stages.Negation;
using Atlas.Stages.FewShot;
using Atlas.Stages.TestTime;
using Atlas.Stages.BlockSelection;
using Atlas.Stages.Peft;

namespace Atlas.Stages.Tests;

/// <summary>A changed parameter invalidates exactly the stages it reaches, and says why.</summary>
[Collection(MicroPipelineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Slow)] // runs the micro pipeline
public sealed class InvalidationTests(MicroPipeline pipeline)
{
    private const string Task = MicroSpec.OverriddenTask;

    [Fact]
    public void Changing_one_tasks_learning_rate_stales_its_chain_the_compositions_using_it_and_the_report_only()
    {
        using var repository = new TempRepository(MicroSpec.With(MicroSpec.OverrideLine, "    finetune: { lr: 0.002 }"));
        repository.CopyArtifactsFrom(pipeline.Repository);
        using var session = repository.Open();

        var plan = session.Plan();
        // Task addition and the few-shot pool use every other task's vector, and this task's own test-time adaptation
        // and block selection read its evaluation (the zero-shot reference); the negation of another target reads
        // nothing of it, and the PEFT pool composes LoRA task vectors, whose fine-tune runs at the LoRA rate.
        string[] expected =
        [
            StageIds.FineTune(Task), StageIds.TaskVector(Task), StageIds.Evaluate(Task),
            .. MicroSpec.AdditionMethods.Select(AdditionStage.IdOf), FewShotStage.IdOf(MicroSpec.FewShotTarget),
            TestTimeStage.IdOf(MicroSpec.TestTimeTarget), BlockSelectionStage.IdOf(MicroSpec.BlockSelectionTarget),
            StageIds.Report,
        ];
        var stale = plan.Where(p => !p.Value.IsUpToDate).Select(p => p.Key).ToList();
        Assert.Equal(expected.Order(), stale.Order());

        var reason = plan[StageIds.FineTune(Task)].ToString();
        Assert.Contains("recipe.lr", reason);
        Assert.Contains("0.001 → 0.002", reason);
        Assert.Contains($"upstream will run: {StageIds.FineTune(Task)}", plan[StageIds.TaskVector(Task)].ToString());
        Assert.Contains(StageIds.Evaluate(Task), plan[StageIds.Report].ToString());

        // Bringing the experiment up to date reruns those stages, and then nothing is left to do. The test-time and
        // block-selection stages read only the evaluation's accuracies, which the 32-image micro splits may reproduce
        // exactly; they are skipped at run time then, as consumers of unchanged outputs.
        var ran = repository.RunAll(new StringWriter());
        string[] accuracyReaders = [TestTimeStage.IdOf(Task), BlockSelectionStage.IdOf(Task)];
        Assert.Equal(expected.Except(accuracyReaders).Order(), ran.Except(accuracyReaders).Order());
        Assert.All(repository.Open().Plan(), p => Assert.True(p.Value.IsUpToDate, $"{p.Key}: {p.Value}"));
    }

    [Fact]
    public void Changing_the_default_learning_rate_spares_the_task_that_overrides_it()
    {
        using var repository = new TempRepository(MicroSpec.With("  lr: 0.0005\n", "  lr: 0.0007\n"));
        repository.CopyArtifactsFrom(pipeline.Repository);
        using var session = repository.Open();

        var stale = session.Plan().Where(p => !p.Value.IsUpToDate).Select(p => p.Key).ToHashSet();
        var others = MicroSpec.Tasks.Where(t => t != Task).ToList();
        string[] expected =
        [
            .. others.SelectMany(t => new[] { StageIds.FineTune(t), StageIds.TaskVector(t), StageIds.Evaluate(t) }),
            .. MicroSpec.AdditionMethods.Select(AdditionStage.IdOf), NegationStage.IdOf(MicroSpec.NegationTarget),
            FewShotStage.IdOf(MicroSpec.FewShotTarget), TestTimeStage.IdOf(MicroSpec.TestTimeTarget),
            BlockSelectionStage.IdOf(MicroSpec.BlockSelectionTarget), PeftStage.IdOf(MicroSpec.PeftTarget), StageIds.Report,
        ];
        Assert.Equal(expected.Order(), stale.Order());
    }

    [Fact]
    public void Changing_the_lora_vectors_rank_stales_the_lora_chain_the_peft_stage_and_the_report_only()
    {
        using var repository = new TempRepository(MicroSpec.With("  atlas: { partitions: [3] }", "  atlas: { partitions: [3], lora_vectors: { rank: 4 } }"));
        repository.CopyArtifactsFrom(pipeline.Repository);
        using var session = repository.Open();

        var pool = MicroSpec.Tasks.Where(t => t != MicroSpec.PeftTarget).ToList();
        string[] expected =
        [
            .. pool.SelectMany(t => new[] { StageIds.LoraFineTune(t), StageIds.LoraTaskVector(t) }),
            PeftStage.IdOf(MicroSpec.PeftTarget), StageIds.Report,
        ];
        var plan = session.Plan();
        Assert.Equal(expected.Order(), plan.Where(p => !p.Value.IsUpToDate).Select(p => p.Key).Order());
        Assert.Contains("rank", plan[StageIds.LoraFineTune(pool[0])].ToString());
    }
}

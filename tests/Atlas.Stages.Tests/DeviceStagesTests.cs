using Atlas.Pipeline.Specs;

namespace Atlas.Stages.Tests;

/// <summary>
/// Which stages run on the spec's device, and that a GPU spec is refused exactly for the stages still CPU-only. This
/// build has no CUDA, so the loader refuses <c>device: cuda</c> at its key: the contexts are built directly from the
/// mini spec with the device set (as <see cref="MiniLockParameterTests"/> does), and nothing here touches a GPU.
/// </summary>
public sealed class DeviceStagesTests
{
    /// <summary>Stage-id families (the id before '/') that run on the device; written out by hand as the families are
    /// converted, not read from the stages.</summary>
    private static readonly string[] DeviceFamilies =
        ["data", "pretrain", "heads", "finetune", "taskvector", "evaluate", "report", "addition", "negation"];

    /// <summary>The mini graph's families that still run on the CPU only.</summary>
    private static readonly string[] CpuOnlyFamilies = ["fewshot", "tta", "selection", "peft", "finetune_lora", "taskvector_lora"];

    private static readonly string MiniSpecPath = Path.Combine(RepositoryRoot.Path, "experiments", "mini.yaml");

    [Fact]
    public void Every_mini_stage_runs_on_the_device_exactly_when_its_family_has_been_converted()
    {
        var mini = SpecLoader.Load(MiniSpecPath, ExperimentSession.Known);
        using var context = new ExperimentContext(RepositoryRoot.Path, MiniSpecPath, mini with { Device = ComputeDevice.Cuda }, TextWriter.Null);
        var stages = ExperimentGraph.Build(context);

        Assert.Equal(DeviceFamilies.Concat(CpuOnlyFamilies).Order(StringComparer.Ordinal),
            stages.Select(s => Family(s.Id)).Distinct().Order(StringComparer.Ordinal));
        var wrong = stages.Where(s => s.RunsOnDevice != DeviceFamilies.Contains(Family(s.Id))).Select(s => s.Id).ToList();
        Assert.True(wrong.Count == 0, $"RunsOnDevice differs from the converted families for: {string.Join(", ", wrong)}");
        Assert.Contains(stages, s => s.Id == "addition/atlas_blockwise" && s.RunsOnDevice);
        Assert.Contains(stages, s => s.Id.StartsWith("negation/", StringComparison.Ordinal) && s.RunsOnDevice);
    }

    [Fact]
    public void A_cuda_spec_is_refused_only_while_it_has_a_cpu_only_stage()
    {
        var mini = SpecLoader.Load(MiniSpecPath, ExperimentSession.Known);

        // The whole mini graph: refused, naming a CPU-only stage (the first in graph order) and no converted one.
        var refusal = Refusal(mini with { Device = ComputeDevice.Cuda });
        Assert.NotNull(refusal);
        Assert.Contains("device cuda: these stages run on the CPU only so far: ", refusal);
        var named = refusal[(refusal.IndexOf("so far: ", StringComparison.Ordinal) + "so far: ".Length)..refusal.IndexOf(';')];
        Assert.All(named.Split(", ").Select(n => n.Split(" and ")[0]), id => Assert.Contains(Family(id), CpuOnlyFamilies));

        // A micro spec of the converted families only (foundation, addition, negation): accepted on cuda.
        var micro = mini with { Device = ComputeDevice.Cuda, FewShot = null, TestTime = null, BlockSelection = null, Peft = null };
        Assert.NotNull(micro.Addition);
        Assert.NotNull(micro.Negation);
        Assert.Null(Refusal(micro));

        // Any one CPU-only section brought back is refused again; on the CPU nothing is refused.
        Assert.NotNull(Refusal(micro with { FewShot = mini.FewShot }));
        Assert.Null(Refusal(mini));
    }

    private static string? Refusal(ExperimentSpec spec)
    {
        using var context = new ExperimentContext(RepositoryRoot.Path, MiniSpecPath, spec, TextWriter.Null);
        return ExperimentSession.DeviceRefusal(context, ExperimentGraph.Build(context));
    }

    private static string Family(string stageId) => stageId.Split('/')[0];
}

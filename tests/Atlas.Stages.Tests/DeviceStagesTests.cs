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
    /// converted, not read from the stages. Every family of the mini graph is converted.</summary>
    private static readonly string[] DeviceFamilies =
    [
        "data", "pretrain", "heads", "finetune", "taskvector", "evaluate", "report",
        "addition", "negation", "fewshot", "tta", "selection", "peft", "finetune_lora", "taskvector_lora",
    ];

    private static readonly string MiniSpecPath = Path.Combine(RepositoryRoot.Path, "experiments", "mini.yaml");

    [Fact]
    public void Every_mini_stage_runs_on_the_device()
    {
        var mini = SpecLoader.Load(MiniSpecPath, ExperimentSession.Known);
        using var context = new ExperimentContext(RepositoryRoot.Path, MiniSpecPath, mini with { Device = ComputeDevice.Cuda }, TextWriter.Null);
        var stages = ExperimentGraph.Build(context).ToList();

        Assert.Equal(DeviceFamilies.Order(StringComparer.Ordinal), stages.Select(s => Family(s.Id)).Distinct().Order(StringComparer.Ordinal));
        var cpuOnly = stages.Where(s => !s.RunsOnDevice).Select(s => s.Id).ToList();
        Assert.True(cpuOnly.Count == 0, $"still CPU-only: {string.Join(", ", cpuOnly)}");
    }

    [Fact]
    public void A_cuda_spec_is_accepted_with_every_family_and_with_checkpoint_imports()
    {
        var mini = SpecLoader.Load(MiniSpecPath, ExperimentSession.Known);

        // The whole mini graph, every composition family included: accepted on cuda, and on the CPU.
        Assert.Null(Refusal(mini with { Device = ComputeDevice.Cuda }));
        Assert.Null(Refusal(mini));

        // A checkpoint import is not converted yet: its stage is named, and nothing else is.
        // Imports read a file into CPU tensors and write them: they never touch the device, so a GPU spec keeps them.
        var imported = mini with { Device = ComputeDevice.Cuda, PretrainedCheckpoint = "weights/clip.safetensors" };
        Assert.Null(Refusal(imported));
        Assert.Null(Refusal(imported with { Device = ComputeDevice.Cpu }));
    }

    private static string? Refusal(ExperimentSpec spec)
    {
        using var context = new ExperimentContext(RepositoryRoot.Path, MiniSpecPath, spec, TextWriter.Null);
        return ExperimentSession.DeviceRefusal(context, ExperimentGraph.Build(context));
    }

    private static string Family(string stageId) => stageId.Split('/')[0];
}

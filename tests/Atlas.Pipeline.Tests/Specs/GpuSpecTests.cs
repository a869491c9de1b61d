using Atlas.Pipeline.Specs;
using static Atlas.Pipeline.Tests.Specs.SpecFixture;

namespace Atlas.Pipeline.Tests.Specs;

/// <summary>The GPU options of a spec: <c>device</c> and the fine-tuning recipe's <c>gradient_accumulation</c>.</summary>
public sealed class GpuSpecTests
{
    private const string CudaRejection =
        "device 'cuda' needs a CUDA build and a visible GPU, and this build has none (torch.cuda.is_available() is false): "
        + "build with 'dotnet build -c Release -p:TorchBackend=cuda' (references libtorch-cuda-12.8-linux-x64; README, "
        + "\"GPU: building with CUDA\") on a machine with an NVIDIA driver for CUDA 12.8, or set device: cpu";

    [Fact]
    public void Device_and_gradient_accumulation_default_to_cpu_and_one()
    {
        var spec = SpecLoader.Parse(ValidYaml, "valid.yaml", Context);

        Assert.Equal(ComputeDevice.Cpu, spec.Device);
        Assert.Equal(1, spec.Finetune.GradientAccumulation);
        Assert.Null(spec.Tasks[1].Finetune!.GradientAccumulation);
    }

    [Fact]
    public void Device_is_spelt_cpu_and_cuda()
    {
        var cudaBuild = Context with { CudaAvailable = () => true };
        Assert.Equal(ComputeDevice.Cpu, SpecLoader.Parse(With("backbone: mini\n", "backbone: mini\ndevice: cpu\n"), "a.yaml", Context).Device);
        Assert.Equal(ComputeDevice.Cuda, SpecLoader.Parse(With("backbone: mini\n", "backbone: mini\ndevice: cuda\n"), "a.yaml", cudaBuild).Device);
    }

    [Fact]
    public void Cuda_device_without_cuda_is_rejected_at_the_device_key_saying_how_to_build()
    {
        AssertErrors(With("backbone: mini\n", "backbone: mini\ndevice: cuda\n"), $"5:9: device: {CudaRejection}");
    }

    [Fact]
    public void Planning_accepts_a_cuda_spec_without_cuda_and_never_asks()
    {
        int asked = 0;
        var planning = Context with { CudaAvailable = () => { asked++; return false; }, Level = SpecCheckLevel.GraphOnly };
        Assert.Equal(ComputeDevice.Cuda, SpecLoader.Parse(With("backbone: mini\n", "backbone: mini\ndevice: cuda\n"), "a.yaml", planning).Device);
        Assert.Equal(0, asked);
    }

    [Fact]
    public void Cuda_availability_is_asked_only_when_a_spec_names_cuda()
    {
        int asked = 0;
        var counting = Context with { CudaAvailable = () => { asked++; return false; } };
        SpecLoader.Parse(ValidYaml, "valid.yaml", counting);
        Assert.Equal(0, asked);
    }

    [Fact]
    public void Gradient_accumulation_is_read_from_the_recipe_and_a_task_override()
    {
        var yaml = With("  batch: 16\n", "  batch: 16\n  gradient_accumulation: 4\n")
            .Replace("      steps: 30", "      steps: 30\n      gradient_accumulation: 2", StringComparison.Ordinal);
        var spec = SpecLoader.Parse(yaml, "a.yaml", Context);

        Assert.Equal(4, spec.Finetune.GradientAccumulation);
        Assert.Equal(4, SpecResolver.Merge(spec.Finetune, spec.Tasks[0].Finetune).GradientAccumulation);
        Assert.Equal(2, SpecResolver.Merge(spec.Finetune, spec.Tasks[1].Finetune).GradientAccumulation);
    }

    [Fact]
    public void Gradient_accumulation_that_does_not_divide_the_batch_is_located()
    {
        // finetune.batch is 16 (line 41); 3 micro-batches of 16 images are not equal.
        AssertErrors(With("  batch: 16\n", "  batch: 16\n  gradient_accumulation: 3\n"),
            "42:26: finetune.gradient_accumulation: batch 16 does not split into 3 equal micro-batches (gradient_accumulation must divide batch)");
    }

    [Fact]
    public void Task_batch_override_that_breaks_the_default_accumulation_is_blamed()
    {
        var yaml = With("  batch: 16\n", "  batch: 16\n  gradient_accumulation: 4\n")
            .Replace("      steps: 30", "      steps: 30\n      batch: 6", StringComparison.Ordinal);
        AssertErrors(yaml, "38:14: tasks[1].finetune.batch: batch 6 does not split into 4 equal micro-batches (gradient_accumulation must divide batch)");
    }

    [Fact]
    public void Zero_gradient_accumulation_is_out_of_range()
    {
        AssertErrors(With("  batch: 16\n", "  batch: 16\n  gradient_accumulation: 0\n"),
            "42:26: finetune.gradient_accumulation: must be >= 1, got 0");
    }
}

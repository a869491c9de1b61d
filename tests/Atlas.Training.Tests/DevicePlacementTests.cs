using Atlas.Models;
using static TorchSharp.torch;

namespace Atlas.Training.Tests;

/// <summary>On the CPU the device plumbing moves and copies nothing, so the CPU path stays bit-for-bit what it was.</summary>
public sealed class DevicePlacementTests
{
    [Fact]
    public void On_the_cpu_tensors_are_returned_themselves()
    {
        using var scope = NewDisposeScope();
        var tensor = ones(3);
        var weights = new Dictionary<string, Tensor> { ["w"] = zeros(2) };

        Assert.Same(tensor, DevicePlacement.To(tensor, CPU));
        Assert.Same(tensor, DevicePlacement.Like(tensor, weights["w"]));
        Assert.Same(weights["w"], DevicePlacement.To(weights, CPU)["w"]);
        Assert.Equal(TorchSharp.DeviceType.CPU, DevicePlacement.Of(weights).type);
    }

    [Fact]
    public void This_build_reports_no_cuda()
    {
        // The default build references libtorch-cpu only; a CUDA build (-p:TorchBackend=cuda) on a GPU machine says true.
        Assert.False(cuda.is_available());
    }
}

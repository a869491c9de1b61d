using Atlas.Pipeline.Specs;

namespace Atlas.Pipeline.Tests.Specs;

/// <summary>Optimisation constants that were numbers in stage code are spec fields: their defaults are the protocol's
/// values, so a changed value shows in the lock record and reruns what it affects.</summary>
public sealed class ProtocolConstantTests
{
    [Fact]
    public void Defaults_are_the_protocol_values()
    {
        var adapters = new AdapterTraining();
        Assert.Equal((0.1, 1.0), (adapters.WeightDecay, adapters.GradClip));
        Assert.Equal(1.0, new PretrainSpec { Sources = ["mnist"], Templates = "t", Steps = 10, Batch = 4, Lr = 1e-3 }.GradClip);
        var peft = new PeftSpec { Targets = ["mnist"], Epochs = 1, Batch = 8 };
        Assert.Equal((1.0, 1.0, 1.0), (peft.Atlas.GradClip, peft.Lora.GradClip, peft.Full.GradClip));
    }

    [Fact]
    public void Schema_publishes_the_new_fields_with_their_defaults()
    {
        var schema = System.Text.Json.Nodes.JsonNode.Parse(SpecSchema.Generate())!["$defs"]!;

        Assert.Equal(0.1, (double)schema["AdapterTraining"]!["properties"]!["weight_decay"]!["default"]!);
        Assert.Equal(1.0, (double)schema["AdapterTraining"]!["properties"]!["grad_clip"]!["default"]!);
        Assert.Equal(0, (double)schema["PretrainSpec"]!["properties"]!["grad_clip"]!["exclusiveMinimum"]!);
        Assert.Equal(1.0, (double)schema["LoraPeftSpec"]!["properties"]!["grad_clip"]!["default"]!);
    }
}

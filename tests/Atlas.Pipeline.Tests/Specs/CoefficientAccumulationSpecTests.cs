using Atlas.Pipeline.Specs;
using static Atlas.Pipeline.Tests.Specs.SpecFixture;

namespace Atlas.Pipeline.Tests.Specs;

/// <summary>
/// <c>learn.gradient_accumulation</c>, the coefficient-learning settings' micro-batch count (one field of
/// <see cref="CoefficientTraining"/>, shared by addition, negation, few-shot, test-time and block selection): 1 by
/// default, read where given, and refused at its own line and column when it does not divide the batch.
/// </summary>
public sealed class CoefficientAccumulationSpecTests
{
    // The valid fixture has 43 lines, so an appended section starts at line 44 and its learn line is line 45.
    private static string WithAddition(string learn) => ValidYaml + $"addition:\n  learn: {learn}\n";

    [Fact]
    public void Gradient_accumulation_of_coefficient_learning_defaults_to_one()
    {
        var spec = SpecLoader.Parse(WithAddition("{ lr: 0.05, epochs: 10, batch: 16 }"), "valid.yaml", Context);
        Assert.Equal(1, spec.Addition!.Learn.GradientAccumulation);
        Assert.Equal(1, new CoefficientTraining { Lr = 0.1, Epochs = 1, Batch = 1 }.GradientAccumulation);
    }

    [Fact]
    public void Gradient_accumulation_of_coefficient_learning_is_read()
    {
        var spec = SpecLoader.Parse(WithAddition("{ lr: 0.05, epochs: 10, batch: 16, gradient_accumulation: 4 }"), "valid.yaml", Context);
        Assert.Equal(4, spec.Addition!.Learn.GradientAccumulation);
    }

    [Fact]
    public void Coefficient_gradient_accumulation_that_does_not_divide_the_batch_is_located()
    {
        // "  learn: { lr: 0.05, epochs: 10, batch: 16, gradient_accumulation: " is 67 characters: the 3 is column 68.
        AssertErrors(WithAddition("{ lr: 0.05, epochs: 10, batch: 16, gradient_accumulation: 3 }"),
            "45:68: addition.learn.gradient_accumulation: batch 16 does not split into 3 equal micro-batches (gradient_accumulation must divide batch)");
    }

    [Fact]
    public void Test_time_gradient_accumulation_is_checked_in_its_own_section()
    {
        const string section = """
            test_time:
              targets: [mnist]
              objectives: [entropy]
              learn:
                lr: 0.001
                epochs: 10
                batch: 128
                gradient_accumulation: 5

            """;
        AssertErrors(ValidYaml + section,
            "51:28: test_time.learn.gradient_accumulation: batch 128 does not split into 5 equal micro-batches (gradient_accumulation must divide batch)");
    }

    [Fact]
    public void Zero_coefficient_gradient_accumulation_is_out_of_range()
    {
        AssertErrors(WithAddition("{ lr: 0.05, epochs: 10, batch: 16, gradient_accumulation: 0 }"),
            "45:68: addition.learn.gradient_accumulation: must be >= 1, got 0");
    }
}

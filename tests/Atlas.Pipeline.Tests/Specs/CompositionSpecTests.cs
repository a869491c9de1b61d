using Atlas.Pipeline.Specs;
using static Atlas.Pipeline.Tests.Specs.SpecFixture;

namespace Atlas.Pipeline.Tests.Specs;

/// <summary>The addition and negation sections: defaults, and errors located at the offending line and field.</summary>
public sealed class CompositionSpecTests
{
    // The valid fixture has 43 lines, so an appended section starts at line 44.
    private static string WithSections(string sections) => ValidYaml + sections;

    private const string Addition = """
        addition:
          learn: { lr: 0.05, epochs: 10, batch: 16 }

        """;

    private const string Negation = """
        negation:
          learn: { lr: 0.02, epochs: 15, batch: 64 }
          targets:
            - { task: mnist, control: mnist_parity, lr: 0.01 }

        """;

    [Fact]
    public void Sections_load_with_the_papers_defaults()
    {
        var spec = SpecLoader.Parse(WithSections(Addition + Negation), "valid.yaml", Context);

        var addition = spec.Addition!;
        Assert.Equal(
            [CompositionMethod.TaskArithmetic, CompositionMethod.Ties, CompositionMethod.AdaMerging, CompositionMethod.AtlasIsotropic, CompositionMethod.AtlasBlockwise],
            addition.Methods);
        Assert.Null(addition.Tasks);
        Assert.Equal((0.05, 0.1, 10, 16, ScheduleKind.Constant, 1.0), (addition.Learn.Lr, addition.Learn.WeightDecay, addition.Learn.Epochs, addition.Learn.Batch, addition.Learn.Schedule, addition.Learn.GradClip));
        Assert.Equal([0.9, 1.0], addition.Learn.CropScale);
        Assert.Equal((0.0, 1.0, 21), (addition.AlphaGrid.Start, addition.AlphaGrid.Stop, addition.AlphaGrid.Count));
        Assert.Equal((0.2, TiesTrimScope.StateDict), (addition.Ties.Keep, addition.Ties.TrimScope));
        // AdaMerging's main_layer_wise_adamerging.py: per-tensor λ from 0.3, Adam at 1e-3 for 500 steps, 2 batches of 16.
        Assert.Equal((AdaMergingGranularity.PerTensor, 0.001, 500, 16, 2, 0.3),
            (addition.Adamerging.Granularity, addition.Adamerging.Lr, addition.Adamerging.Steps, addition.Adamerging.Batch,
                addition.Adamerging.BatchesPerTask, addition.Adamerging.Init));

        var negation = spec.Negation!;
        Assert.Equal(0.95, negation.ControlThreshold);
        var target = Assert.Single(negation.Targets);
        Assert.Equal(("mnist", "mnist_parity", 0.01, (int?)null), (target.Task, target.Control, target.Lr, target.Epochs));
    }

    [Fact]
    public void Unknown_method_is_rejected_with_the_allowed_names()
    {
        AssertErrors(WithSections(Addition + "  methods: [task_arithmetic, atlas]\n"),
            "46:30: addition.methods[1]: must be one of task_arithmetic, ties, adamerging, atlas_isotropic, atlas_blockwise; got 'atlas'; did you mean 'atlas_isotropic'?");
    }

    [Fact]
    public void Duplicate_method_and_unknown_task_are_located()
    {
        AssertErrors(WithSections(Addition + "  methods: [ties, ties]\n  tasks: [mnist, fashion]\n"),
            "46:19: addition.methods[1]: method 'ties' is listed twice",
            "47:18: addition.tasks[1]: unknown task 'fashion' (known: mnist, mnist_parity)");
    }

    [Fact]
    public void Negation_target_needs_a_known_control_other_than_itself()
    {
        AssertErrors(WithSections(Negation.Replace("control: mnist_parity", "control: mnist") +
                                  "    - { task: mnist_parity, control: cifar }\n"),
            "47:31: negation.targets[0].control: the control task must differ from the target",
            "48:38: negation.targets[1].control: unknown task 'cifar' (known: mnist, mnist_parity)");
    }

    [Fact]
    public void Out_of_range_threshold_is_rejected()
    {
        AssertErrors(WithSections(Negation + "  control_threshold: 1.5\n"),
            "48:22: negation.control_threshold: must be >= 0 and <= 1, got 1.5");
    }

    [Fact]
    public void Reversed_grid_is_rejected()
    {
        AssertErrors(WithSections(Negation + "  alpha_grid: { start: 1, stop: 0 }\n"),
            "48:15: negation.alpha_grid: start 1 is larger than stop 0");
    }
}

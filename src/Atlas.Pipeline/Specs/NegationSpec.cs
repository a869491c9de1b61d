using System.ComponentModel.DataAnnotations;

namespace Atlas.Pipeline.Specs;

/// <summary>Task negation (docs/method.md §M4.1): per target, forget it while a control task keeps its accuracy.</summary>
public sealed record NegationSpec : ISpecSection
{
    void ISpecSection.Check(SpecValidator check, FieldPath path)
    {
        for (int i = 0; i < Targets.Count; i++)
        {
            var target = Targets[i];
            var targetPath = path.Key("targets").Index(i);
            int first = Targets.FindIndex(t => t.Task == target.Task);
            if (first < i) check.Fail(targetPath.Key("task"), $"target '{target.Task}' is listed twice (also targets[{first}])");
            check.CheckTaskReference(target.Task, targetPath.Key("task"));
            check.CheckTaskReference(target.Control, targetPath.Key("control"));
            if (target.Control == target.Task) check.Fail(targetPath.Key("control"), "the control task must differ from the target");
        }
        check.CheckCoefficientTraining(Learn, path.Key("learn"));
        check.CheckGrid(AlphaGrid, path.Key("alpha_grid"));
    }

    /// <summary>Targets and their control tasks.</summary>
    [MinLength(1)]
    public required List<NegationTarget> Targets { get; init; }

    /// <summary>How aTLAS learns the target's coefficients (<c>batch</c> images of target and of control per step).</summary>
    public required CoefficientTraining Learn { get; init; }

    /// <summary>The fraction of its zero-shot validation accuracy the control task must keep (paper: 0.95).</summary>
    [Range(0d, 1d)]
    public double ControlThreshold { get; init; } = 0.95;

    /// <summary>The α grid of the task-arithmetic baseline θ0 − α·τ (paper: 0 to 1, 21 values).</summary>
    public ScalingGridSpec AlphaGrid { get; init; } = new();
}

/// <summary>One negation experiment.</summary>
public sealed record NegationTarget
{
    /// <summary>The task to forget.</summary>
    public required string Task { get; init; }

    /// <summary>The task whose accuracy must be kept (the paper uses ImageNet: broad and unrelated to the target).</summary>
    public required string Control { get; init; }

    /// <summary>Overrides <see cref="CoefficientTraining.Lr"/> for this target (the paper tunes it per target).</summary>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public double? Lr { get; init; }

    /// <summary>Overrides <see cref="CoefficientTraining.Epochs"/> for this target.</summary>
    [Range(1, int.MaxValue)]
    public int? Epochs { get; init; }
}

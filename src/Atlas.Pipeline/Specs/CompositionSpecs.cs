using System.ComponentModel.DataAnnotations;
using System.Runtime.Serialization;
using System.Text.Json.Serialization;

namespace Atlas.Pipeline.Specs;

/// <summary>
/// Task addition (docs/method.md §M4.2): one set of coefficients for all listed tasks' vectors, compared across merging methods.
/// </summary>
public sealed record AdditionSpec : ISpecSection
{
    void ISpecSection.Check(SpecValidator check, FieldPath path)
    {
        check.CheckDistinct(Methods, path.Key("methods"), "method");
        var tasks = Tasks ?? [];
        for (int i = 0; i < tasks.Count; i++)
        {
            if (tasks.IndexOf(tasks[i]) < i) check.Fail(path.Key("tasks").Index(i), $"task '{tasks[i]}' is listed twice");
            else check.CheckTaskReference(tasks[i], path.Key("tasks").Index(i));
        }
        if (Tasks is null && check.Spec.Tasks.Count < 2)
            check.Fail(path, $"task addition needs at least two tasks; the spec has {check.Spec.Tasks.Count}");
        check.CheckCoefficientTraining(Learn, path.Key("learn"));
        check.CheckGrid(AlphaGrid, path.Key("alpha_grid"));
        check.CheckGrid(Ties.Grid, path.Key("ties").Key("grid"));
    }

    /// <summary>The methods to run, one table row each (zero-shot and fine-tuned rows are always shown).</summary>
    public List<CompositionMethod> Methods { get; init; } =
    [
        CompositionMethod.TaskArithmetic, CompositionMethod.Ties, CompositionMethod.AdaMerging,
        CompositionMethod.AtlasIsotropic, CompositionMethod.AtlasBlockwise,
    ];

    /// <summary>Tasks whose vectors are added (at least two); absent means every task of the spec.</summary>
    [MinLength(2)]
    public List<string>? Tasks { get; init; }

    /// <summary>How aTLAS learns its coefficients on the tasks' validation splits (<c>batch</c> is per task).</summary>
    public required CoefficientTraining Learn { get; init; }

    /// <summary>Task arithmetic's α grid, searched on validation (paper: 0 to 1, 21 values).</summary>
    public ScalingGridSpec AlphaGrid { get; init; } = new();

    /// <summary>TIES-merging: the kept fraction and the λ grid searched on validation.</summary>
    public TiesSpec Ties { get; init; } = new();

    /// <summary>Layer-wise AdaMerging: entropy minimisation on the unlabelled test splits.</summary>
    public AdaMergingSpec Adamerging { get; init; } = new();
}

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

/// <summary>Learning coefficients Λ with AdamW (docs/method.md §M3.3): Λ starts at 0, selection after every epoch.</summary>
public sealed record CoefficientTraining
{
    /// <summary>AdamW learning rate.</summary>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public required double Lr { get; init; }

    /// <summary>AdamW decoupled weight decay on Λ (pulls it toward 0; paper: 0.1).</summary>
    [Range(0d, double.PositiveInfinity)]
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>Epochs; the best epoch on validation is kept.</summary>
    [Range(1, int.MaxValue)]
    public required int Epochs { get; init; }

    /// <summary>Images per step (per task where several tasks are learned together).</summary>
    [Range(1, int.MaxValue)]
    public required int Batch { get; init; }

    /// <summary><c>constant</c> (task addition and negation) or <c>cosine</c>.</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Constant;

    /// <summary>Largest global gradient L2 norm.</summary>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public double GradClip { get; init; } = 1.0;

    /// <summary>Random-resized-crop scale range of the training images (paper: 0.9–1 for addition and negation).</summary>
    [Length(2, 2), Range(0d, 1d, MinimumIsExclusive = true)]
    public List<double> CropScale { get; init; } = [0.9, 1.0];

    /// <summary>Optional penalty γ·mean_j ‖Λ[:, j]‖_p added to the loss (off in the paper's main results).</summary>
    public RegularizerSpec? Regularizer { get; init; }
}

/// <summary>The L_p penalty on Λ.</summary>
public sealed record RegularizerSpec
{
    /// <summary>γ (paper: 0.5).</summary>
    [Range(0d, double.PositiveInfinity)]
    public double Gamma { get; init; } = 0.5;

    /// <summary>The norm: 1 or 2.</summary>
    [Range(1, 2)]
    public int P { get; init; } = 1;
}

/// <summary>Evenly spaced values from <c>start</c> to <c>stop</c> inclusive (numpy's linspace).</summary>
public sealed record ScalingGridSpec
{
    public double Start { get; init; }

    public double Stop { get; init; } = 1.0;

    /// <summary>Number of values.</summary>
    [Range(1, int.MaxValue)]
    public int Count { get; init; } = 21;
}

/// <summary>TIES-merging's settings.</summary>
public sealed record TiesSpec
{
    /// <summary>Fraction of each task vector's entries kept by magnitude (TIES paper: 0.2).</summary>
    [Range(0d, 1d, MinimumIsExclusive = true)]
    public double Keep { get; init; } = 0.2;

    /// <summary>The λ grid for θ0 + λ·τ_merged, searched on validation.</summary>
    public ScalingGridSpec Grid { get; init; } = new() { Start = 0.1, Stop = 2.0, Count = 20 };
}

/// <summary>Layer-wise AdaMerging's settings (Adam, no weight decay, coefficients start at <c>init</c>).</summary>
public sealed record AdaMergingSpec
{
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public double Lr { get; init; } = 1e-3;

    /// <summary>Optimizer steps (AdaMerging: 500).</summary>
    [Range(1, int.MaxValue)]
    public int Steps { get; init; } = 500;

    /// <summary>Unlabelled test images per task and step (AdaMerging: 16).</summary>
    [Range(1, int.MaxValue)]
    public int Batch { get; init; } = 16;

    /// <summary>Starting value of every coefficient (AdaMerging: 0.3).</summary>
    public double Init { get; init; } = 0.3;
}

/// <summary>The task-addition methods; their spec names are also their stage ids (<c>addition/NAME</c>).</summary>
[JsonConverter(typeof(SpecNameJsonConverter))]
public enum CompositionMethod
{
    /// <summary>θ0 + α·Σ τ with α searched on validation.</summary>
    TaskArithmetic,

    /// <summary>TIES-merging (trim, elect sign, disjoint mean), its λ searched on validation.</summary>
    Ties,

    /// <summary>Layer-wise AdaMerging: entropy minimisation on the unlabelled test splits.</summary>
    [EnumMember(Value = "adamerging")]
    AdaMerging,

    /// <summary>aTLAS with one coefficient per task vector.</summary>
    AtlasIsotropic,

    /// <summary>aTLAS with one coefficient per task vector and parameter block.</summary>
    AtlasBlockwise,
}

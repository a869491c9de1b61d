using Atlas.Pipeline.Specs;

namespace Atlas.Stages.Tests.Support;

/// <summary>
/// The micro spec (<c>Specs/micro.yaml</c>, copied to the output folder) with its data root filled in: three tasks,
/// 64/64/32/32 images per source, six-step trainings and two-epoch coefficient learning, so the whole graph runs in
/// seconds.
/// </summary>
internal static class MicroSpec
{
    public const string Name = "micro";

    /// <summary>Tasks of the micro spec, in spec order.</summary>
    public static IReadOnlyList<string> Tasks { get; } = ["mnist", "mnist_parity", "fashion_coarse"];

    /// <summary>Task-addition methods the micro spec runs (all of them, by default).</summary>
    public static IReadOnlyList<CompositionMethod> AdditionMethods { get; } =
    [
        CompositionMethod.TaskArithmetic, CompositionMethod.Ties, CompositionMethod.AdaMerging, CompositionMethod.AtlasIsotropic,
        CompositionMethod.AtlasBlockwise,
    ];

    /// <summary>The negation target and its control.</summary>
    public const string NegationTarget = "mnist", NegationControl = "fashion_coarse";

    /// <summary>The few-shot target, its shot counts and draws.</summary>
    public const string FewShotTarget = "fashion_coarse";
    public static IReadOnlyList<int> FewShotShots { get; } = [1, 2];
    public const int FewShotDraws = 2;

    /// <summary>The test-time adaptation target.</summary>
    public const string TestTimeTarget = "mnist_parity";

    /// <summary>The block-selection target, its draws and budgets.</summary>
    public const string BlockSelectionTarget = "mnist_parity";
    public const int BlockSelectionDraws = 2;
    public static IReadOnlyList<int> BlockSelectionBudgets { get; } = [1];

    /// <summary>The PEFT target, its data fractions, epochs, batch and per-method sizes.</summary>
    public const string PeftTarget = "fashion_coarse";
    public static IReadOnlyList<double> PeftFractions { get; } = [0.25, 1.0];
    public const int PeftEpochs = 2, PeftBatch = 8, PeftPartitions = 3, PeftLoraRank = 2;

    /// <summary>The task whose fine-tuning recipe has a per-task override (<c>finetune: { lr: 0.001 }</c>).</summary>
    public const string OverriddenTask = "mnist_parity";

    public const string OverrideLine = "    finetune: { lr: 0.001 }";

    /// <summary>The spec text, ready to write into a temporary repository root.</summary>
    public static string Text { get; } = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Specs", "micro.yaml"))
        .Replace("{{DATA_ROOT}}", RepositoryRoot.MiniData.Replace('\\', '/'), StringComparison.Ordinal);

    /// <summary>The spec without its composition and adaptation sections (they come last).</summary>
    public static string WithoutComposition { get; } = Text[..Text.IndexOf("\naddition:", StringComparison.Ordinal)];

    /// <summary>The spec text with exactly one occurrence of <paramref name="original"/> replaced.</summary>
    public static string With(string original, string replacement)
    {
        int index = Text.IndexOf(original, StringComparison.Ordinal);
        if (index < 0 || Text.IndexOf(original, index + 1, StringComparison.Ordinal) >= 0)
            throw new ArgumentException($"'{original}' must occur exactly once in the micro spec", nameof(original));
        return string.Concat(Text.AsSpan(0, index), replacement, Text.AsSpan(index + original.Length));
    }
}

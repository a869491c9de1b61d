using Atlas.Stages.Addition;
using Atlas.Stages.BlockSelection;
using Atlas.Stages.FewShot;
using Atlas.Stages.Negation;
using Atlas.Stages.Peft;
using Atlas.Stages.TestTime;

namespace Atlas.Stages;

/// <summary>The registry of experiment families: graph, report and verification order. A new family is one line here.</summary>
public static class ExperimentFamilies
{
    public static IReadOnlyList<ExperimentFamily> All { get; } =
    [
        new FoundationFamily(),
        new AdditionFamily(),
        new NegationFamily(),
        new FewShotFamily(),
        new TestTimeFamily(),
        new BlockSelectionFamily(),
        new PeftFamily(),
    ];

    /// <summary>The family that reports <paramref name="table"/> (a verified or a cost table) under <paramref name="spec"/>.</summary>
    /// <exception cref="ArgumentException">No family of the spec reports it.</exception>
    public static ExperimentFamily Reporting(Pipeline.Specs.ExperimentSpec spec, string table) =>
        All.FirstOrDefault(f => f.Tables(spec).Contains(table) || f.CostTables(spec).Contains(table))
        ?? throw new ArgumentException($"no experiment family of this spec reports a table '{table}'", nameof(table));
}

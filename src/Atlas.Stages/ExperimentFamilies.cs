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
}

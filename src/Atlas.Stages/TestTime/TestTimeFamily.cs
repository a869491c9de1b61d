using System.Text;
using Atlas.Pipeline.Specs;

namespace Atlas.Stages.TestTime;

/// <summary>Test-time adaptation (paper Sec. 5.3, Table 3; docs/method.md §M5): per target, Λ learned from its unlabelled test images.</summary>
public sealed class TestTimeFamily() : ExperimentFamily<TestTimeSpec>(spec => spec.TestTime)
{
    protected override IEnumerable<Stage> Stages(ExperimentSpec spec, TestTimeSpec section) =>
        section.Targets.Select(t => new TestTimeStage(t, PoolFor(spec, t)));

    protected override IReadOnlyList<string> Tables(TestTimeSpec section) => [TestTimeTables.Table];

    protected override IReadOnlyList<ReportSection> Report(ExperimentContext context, TestTimeSpec section)
    {
        var text = new StringBuilder();
        text.AppendLine("Λ over the other tasks' vectors is learned from the test images without their labels and the last Λ is " +
                        "scored; UFM is the intended FixMatch-style objective, not the released degenerate one; its trusted set is " +
                        (section.Ufm.TrustedSet == UfmTrustedSet.PerPredictedClassEachEpoch
                            ? "re-estimated every epoch by the current model, per predicted class (paper App. E)."
                            : "chosen once from zero-shot probabilities, per probability column (the released main branch)."));
        text.AppendLine();
        foreach (var target in section.Targets)
        {
            var result = TestTimeStage.Read(context, target);
            text.AppendLine($"- `{target}`: {result.Steps} steps for entropy and SAR, {result.UfmSteps} for UFM; SAR reset " +
                            $"{result.SarResets} times and skipped {result.SarSkippedSteps} steps with no reliable sample; UFM trusted " +
                            $"{result.UfmTrustedPerClass} per class, per epoch {string.Join(", ", result.UfmTrustedImages.Zip(result.UfmTrustedCorrect, (n, r) => $"{n} ({r} rightly labelled)"))}");
        }
        return [new ReportSection(TestTimeTables.Table, TestTimeTables.Build(context, section), text.ToString())];
    }
}

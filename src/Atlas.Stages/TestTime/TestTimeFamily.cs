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
                        "scored; UFM is the intended FixMatch-style objective, not the released degenerate one.");
        text.AppendLine();
        foreach (var target in section.Targets)
        {
            var result = TestTimeStage.Read(context, target);
            text.AppendLine($"- `{target}`: {result.Steps} steps per objective; SAR reset {result.SarResets} times and skipped " +
                            $"{result.SarSkippedSteps} steps with no reliable sample; UFM trusted {result.UfmTrustedImages} images " +
                            $"({result.UfmTrustedPerClass} per class)");
        }
        return [new ReportSection(TestTimeTables.Table, TestTimeTables.Build(context, section), text.ToString())];
    }
}

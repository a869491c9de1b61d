using Atlas.Pipeline.Specs;
using Atlas.Reports;

namespace Atlas.Stages.TestTime;

/// <summary>The test-time adaptation table (paper Table 3 twin): test accuracy per target and objective.</summary>
public static class TestTimeTables
{
    public const string Table = "test_time_adaptation";

    /// <summary>Rows: one per target, then the mean; columns: zero-shot, then one per objective.</summary>
    public static ResultTable Build(ExperimentContext context, TestTimeSpec spec)
    {
        var rows = spec.Targets.Select(t => TestTimeStage.Read(context, t))
            .Select(r => new ResultRow(r.Target, [r.ZeroShot, .. spec.Objectives.Select(o => r.Accuracy[o])]))
            .ToList();
        rows.Add(new ResultRow("mean", [.. Enumerable.Range(0, spec.Objectives.Count + 1).Select(c => rows.Average(r => r.Values[c]))]));
        return new ResultTable("Test-time adaptation: test top-1 accuracy (%) after learning Λ on the unlabelled test split (paper Table 3 twin)",
            "target", ["zero_shot", .. spec.Objectives.Select(SpecNames.Of)], rows);
    }
}

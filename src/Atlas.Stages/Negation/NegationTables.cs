using Atlas.Reports;
using Atlas.Pipeline.Specs;

namespace Atlas.Stages.Negation;

/// <summary>The mini twin of the paper's task-negation table (Table 1/7).</summary>
public static class NegationTables
{
    public const string Table = "task_negation";

    /// <summary>Rows: one per target, then the mean. Columns: target and control test accuracy of the zero-shot,
    /// task-arithmetic (θ0 − α·τ) and aTLAS models.</summary>
    public static ResultTable Build(ExperimentContext context, NegationSpec spec)
    {
        var rows = spec.Targets.Select(t => NegationStage.Read(context, t.Task)).Select(r => new ResultRow(r.Target,
        [
            r.ZeroShot.TargetTest, r.ZeroShot.ControlTest, r.TaskArithmetic.TargetTest, r.TaskArithmetic.ControlTest,
            r.Atlas.TargetTest, r.Atlas.ControlTest,
        ])).ToList();
        rows.Add(new ResultRow("mean", [.. Enumerable.Range(0, 6).Select(c => rows.Average(r => r.Values[c]))]));
        return new ResultTable("Task negation: test top-1 accuracy (%) on the target (lower is better) and on its control (paper Table 1/7 twin)",
            "target", ["zero_shot_target", "zero_shot_control", "task_arithmetic_target", "task_arithmetic_control", "atlas_target", "atlas_control"],
            rows);
    }
}

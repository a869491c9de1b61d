using Atlas.Pipeline.Specs;
using Atlas.Reports;

namespace Atlas.Stages.Composition;

/// <summary>The mini twins of the paper's task-addition (Table 2/8) and task-negation (Table 1/7) tables.</summary>
public static class CompositionTables
{
    public const string Addition = "task_addition";
    public const string Negation = "task_negation";

    /// <summary>The table row of each addition method.</summary>
    private static readonly IReadOnlyDictionary<string, string> MethodRows = new Dictionary<string, string>
    {
        [CompositionMethods.TaskArithmetic] = "task_arithmetic",
        [CompositionMethods.Ties] = "ties_merging",
        [CompositionMethods.AdaMerging] = "adamerging_layerwise",
        [CompositionMethods.AtlasIsotropic] = "atlas_isotropic",
        [CompositionMethods.AtlasBlockwise] = "atlas_blockwise",
    };

    /// <summary>
    /// Rows: zero-shot, fine-tuned (one model per task), then one merged model per method. Columns: test accuracy per
    /// task, its mean, and the mean normalised accuracy (each task's accuracy divided by its fine-tuned accuracy).
    /// </summary>
    public static ResultTable AdditionTable(ExperimentContext context, AdditionSpec spec)
    {
        var tasks = spec.Tasks ?? [.. context.Spec.Tasks.Select(t => t.Name)];
        var accuracies = tasks.Select(t => EvaluateStage.Read(context, t)).ToList();
        ResultRow Row(string name, IReadOnlyList<double> test) =>
            new(name, [.. test, test.Average(), test.Select((a, i) => 100 * a / accuracies[i].FineTunedTest).Average()]);

        var rows = new List<ResultRow>
        {
            Row("zero_shot", [.. accuracies.Select(a => a.ZeroShotTest)]),
            Row("finetuned", [.. accuracies.Select(a => a.FineTunedTest)]),
        };
        foreach (var method in spec.Methods)
        {
            var result = AdditionStage.Read(context, method);
            rows.Add(Row(MethodRows[method], [.. tasks.Select(t => result.Tasks.Single(s => s.Task == t).Test)]));
        }
        return new ResultTable("Task addition: test top-1 accuracy (%) of one merged model on every task (paper Table 2/8 twin)",
            "method", [.. tasks, "mean_absolute", "mean_normalized"], rows);
    }

    /// <summary>Rows: one per target, then the mean. Columns: target and control test accuracy of the zero-shot,
    /// task-arithmetic (θ0 − α·τ) and aTLAS models.</summary>
    public static ResultTable NegationTable(ExperimentContext context, NegationSpec spec)
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

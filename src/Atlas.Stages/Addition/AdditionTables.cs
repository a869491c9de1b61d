using Atlas.Reports;
using Atlas.Pipeline.Specs;

namespace Atlas.Stages.Addition;

/// <summary>The mini twin of the paper's task-addition table (Table 2/8) and the learned-coefficient heatmap.</summary>
public static class AdditionTables
{
    public const string Table = "task_addition";
    public const string CoefficientFigure = "addition_coefficients";

    /// <summary>The table row of each addition method.</summary>
    private static readonly IReadOnlyDictionary<CompositionMethod, string> MethodRows = new Dictionary<CompositionMethod, string>
    {
        [CompositionMethod.TaskArithmetic] = "task_arithmetic",
        [CompositionMethod.Ties] = "ties_merging",
        [CompositionMethod.AdaMerging] = "adamerging_layerwise",
        [CompositionMethod.AtlasIsotropic] = "atlas_isotropic",
        [CompositionMethod.AtlasBlockwise] = "atlas_blockwise",
    };

    /// <summary>The table row of an addition method.</summary>
    public static string RowOf(CompositionMethod method) => MethodRows[method];

    /// <summary>
    /// Rows: zero-shot, fine-tuned (one model per task), then one merged model per method. Columns: test accuracy per
    /// task, its mean, and the mean normalised accuracy (each task's accuracy divided by its fine-tuned accuracy).
    /// </summary>
    public static ResultTable Build(ExperimentContext context, AdditionSpec spec)
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
}

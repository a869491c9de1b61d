using System.Text;
using Atlas.Reports.Figures;
using Atlas.Pipeline.Specs;
using Atlas.Stages.Composition;

namespace Atlas.Stages.Addition;

/// <summary>Task addition (paper Sec. 4.2, Tables 2/8; docs/method.md §M4.2): one merged model for every task, one stage per merging method.</summary>
public sealed class AdditionFamily() : ExperimentFamily<AdditionSpec>(spec => spec.Addition)
{
    protected override IEnumerable<Stage> Stages(ExperimentSpec spec, AdditionSpec section)
    {
        var tasks = section.Tasks ?? [.. spec.Tasks.Select(t => t.Name)];
        return section.Methods.Select(m => new AdditionStage(m, tasks));
    }

    protected override IReadOnlyList<string> Tables(AdditionSpec section) => [AdditionTables.Table];

    /// <summary>The heatmap of blockwise aTLAS's Λ, when that method runs.</summary>
    protected override IReadOnlyList<string> Figures(AdditionSpec section) =>
        section.Methods.Contains(CompositionMethod.AtlasBlockwise) ? [AdditionTables.CoefficientFigure] : [];

    protected override IReadOnlyList<ReportSection> Report(ExperimentContext context, AdditionSpec section)
    {
        var text = new StringBuilder();
        text.AppendLine("Normalised accuracy divides each task's accuracy by its fine-tuned accuracy. The paper's ViT-B/32 " +
                        "(absolute / normalised): task arithmetic 70.12 / 77.24, aTLAS 84.98 / 93.79.");
        text.AppendLine();
        text.AppendLine("How each method chose its model:");
        text.AppendLine();
        foreach (var method in section.Methods)
            text.AppendLine($"- `{SpecNames.Of(method)}`: {AdditionStage.Read(context, method).Selection}");
        if (Figures(section).Count > 0)
        {
            var values = AdditionStage.CoefficientsPath(context.Layout, CompositionMethod.AtlasBlockwise, "csv");
            var (tasks, blocks, coefficients) = CoefficientArtifacts.ReadMatrix(context, values);
            HeatmapFigure.Write(context.Absolute(context.Layout.Figure(AdditionTables.CoefficientFigure)),
                "aTLAS task addition: learned coefficients Λ (task vectors × parameter blocks)", tasks, blocks, coefficients, "coefficient");
            text.AppendLine();
            text.AppendLine($"![Learned aTLAS coefficients](figures/{AdditionTables.CoefficientFigure}.png)");
            text.AppendLine();
            text.AppendLine($"Values: `{values}` (one row per task vector and block, blocks in canonical order).");
        }
        return [new ReportSection(AdditionTables.Table, AdditionTables.Build(context, section), text.ToString())];
    }
}

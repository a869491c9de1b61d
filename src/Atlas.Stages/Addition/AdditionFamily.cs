using System.Globalization;
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

    /// <summary>A task column reads that task's evaluation (zero-shot and fine-tuned rows) or the method's stage; the
    /// means read every task's, and the normalised mean also every fine-tuned accuracy (<see cref="AdditionTables.Build"/>).</summary>
    public override IReadOnlyList<string> CellStages(ExperimentSpec spec, string table, string row, string column)
    {
        var section = spec.Addition!;
        var tasks = section.Tasks ?? [.. spec.Tasks.Select(t => t.Name)];
        var method = section.Methods.Where(m => AdditionTables.RowOf(m) == row).Select(AdditionStage.IdOf).ToList();
        var evaluations = tasks.Contains(column) ? [StageIds.Evaluate(column)] : tasks.Select(StageIds.Evaluate).ToList();
        if (method.Count == 0) return evaluations; // zero_shot, finetuned
        return column == "mean_normalized" ? [.. method, .. evaluations] : method;
    }

    /// <summary>The heatmap of blockwise aTLAS's Λ, when that method runs.</summary>
    protected override IReadOnlyList<string> Figures(AdditionSpec section) =>
        section.Methods.Contains(CompositionMethod.AtlasBlockwise) ? [AdditionTables.CoefficientFigure] : [];

    /// <summary>Which reference TIES and AdaMerging follow under this spec, what still differs, and which published figure
    /// (ViT-B/32, another model) has the same method; none is named when the spec departs from the reference.</summary>
    public static IReadOnlyList<string> BaselineNotes(AdditionSpec section)
    {
        var notes = new List<string>();
        if (section.Methods.Contains(CompositionMethod.Ties))
        {
            var ties = section.Ties;
            notes.Add(ties.TrimScope == TiesTrimScope.StateDict
                ? $"TIES-merging (Yadav et al. 2023): top {100 * ties.Keep:0.#}% trimmed over the whole image-encoder state dict " +
                  "as the reference does (its text-side entries are always 0, so more of the image tower is kept), elected " +
                  "signs, disjoint mean, λ searched on validation: the scope and merge function of the reference code, whose " +
                  "paper reports 72.4 absolute on ViT-B/32 (FusionBench's 72.2 trims the vision model only and sums at " +
                  "λ = 0.3: not comparable). Remaining difference: exactly k entries kept (the reference keeps k + 1)."
                : $"TIES-merging (Yadav et al. 2023): top {100 * ties.Keep:0.#}% trimmed over the image tower only, not the " +
                  "reference's whole state dict, so fewer entries are kept; no published figure uses this scope.");
        }
        if (section.Methods.Contains(CompositionMethod.AdaMerging))
        {
            var ada = section.Adamerging;
            var reference = new AdaMergingSpec();
            bool isReference = ada.Granularity == reference.Granularity && ada.Init == reference.Init && ada.Lr == reference.Lr &&
                               ada.Steps == reference.Steps && ada.Batch == reference.Batch && ada.BatchesPerTask == reference.BatchesPerTask;
            var settings = string.Create(CultureInfo.InvariantCulture,
                $"{SpecNames.Of(ada.Granularity)} λ from {ada.Init}, clamped to [0, 1], Adam at {ada.Lr} for {ada.Steps} steps, " +
                $"{ada.BatchesPerTask} fresh batches of {ada.Batch} unlabelled test images per task and step, last λ kept");
            notes.Add(isReference
                ? $"Layer-wise AdaMerging (Yang et al. 2024, `main_layer_wise_adamerging.py`): {settings}, as the reference. " +
                  "Remaining differences: no λ for the 6 text-side tensors the reference also carries (their τ is 0, so " +
                  "they change nothing), seeded draws, fp32. Its official ViT-B/32 log reads 80.18 absolute."
                : $"AdaMerging with {settings}: not the reference's settings, so no published figure applies.");
        }
        return notes;
    }

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
        var notes = BaselineNotes(section);
        if (notes.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("The peer baselines are not in the aTLAS paper; each follows its own reference code:");
            text.AppendLine();
            foreach (var note in notes) text.AppendLine($"- {note}");
        }
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

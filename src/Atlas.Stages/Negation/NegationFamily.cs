using System.Globalization;
using System.Text;
using Atlas.Pipeline.Specs;

namespace Atlas.Stages.Negation;

/// <summary>Task negation (paper Sec. 4.1, Tables 1/7; docs/method.md §M4.1): per target, forget it while a control task keeps its accuracy.</summary>
public sealed class NegationFamily() : ExperimentFamily<NegationSpec>(spec => spec.Negation)
{
    protected override IEnumerable<Stage> Stages(ExperimentSpec spec, NegationSpec section) => section.Targets.Select(t => new NegationStage(t));

    protected override IReadOnlyList<string> Tables(NegationSpec section) => [NegationTables.Table];

    protected override IReadOnlyList<ReportSection> Report(ExperimentContext context, NegationSpec section)
    {
        var text = new StringBuilder();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Every model keeps at least {100 * section.ControlThreshold:0.#}% of its control task's zero-shot validation accuracy. " +
            $"The paper's ViT-B/32 (target / control, ImageNet as control): zero-shot 48.14 / 63.35, task arithmetic 23.22 / 60.71, " +
            $"aTLAS 18.76 / 61.21."));
        text.AppendLine();
        foreach (var target in section.Targets)
        {
            var result = NegationStage.Read(context, target.Task);
            string stop = result.Epochs[^1].Admissible ? "" : " (stopped when the control fell below the threshold)";
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"- `{result.Target}` (control `{result.Control}`, val threshold {result.ControlThresholdVal:F2}%): task arithmetic α = {result.Alpha:0.##}; " +
                $"aTLAS kept epoch {result.AtlasBestEpoch} of {result.Epochs.Count - 1}{stop}"));
        }
        return [new ReportSection(NegationTables.Table, NegationTables.Build(context, section), text.ToString())];
    }
}

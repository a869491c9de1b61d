using Atlas.Reports;
using Atlas.Pipeline.Specs;

namespace Atlas.Stages;

/// <summary>
/// One experiment family of the reproduction (the foundation, task addition, negation, few-shot…): the stages it adds
/// to the graph, the tables and figures it reports and its sections of <c>report.md</c>. The graph, the report, the
/// verification and, through <c>atlas plan</c>, the Cake script all read the families from
/// <see cref="ExperimentFamilies.All"/>, so a new family is its folder plus one line there (after mergekit's
/// merge-method registry: one object per method, found in one list).
/// </summary>
public abstract class ExperimentFamily
{
    /// <summary>The stages this family adds for <paramref name="spec"/>, in graph order (none when the spec does not ask
    /// for it). Each stage names its own phase and dependencies.</summary>
    public abstract IEnumerable<Stage> Stages(ExperimentSpec spec);

    /// <summary>Tables verified against approved copies, in report order.</summary>
    public abstract IReadOnlyList<string> Tables(ExperimentSpec spec);

    /// <summary>Tables of measured cost (step time, memory): written and reported, never verified, since they describe
    /// the machine rather than the method.</summary>
    public abstract IReadOnlyList<string> CostTables(ExperimentSpec spec);

    /// <summary>The figures this family draws (<see cref="ArtifactLayout.Figure"/> names).</summary>
    public abstract IReadOnlyList<string> Figures(ExperimentSpec spec);

    /// <summary>Builds this family's tables from its stages' results, writes its figures, and returns its report
    /// sections in order: one per table named by <see cref="Tables"/> and <see cref="CostTables"/>.</summary>
    public abstract IReadOnlyList<ReportSection> Report(ExperimentContext context);

    /// <summary>The stages whose results one of this family's tables is built from (named under it in
    /// <c>report.md</c>). By default every stage of the family.</summary>
    public virtual IReadOnlyList<string> TableStages(ExperimentSpec spec, string table) => [.. Stages(spec).Select(s => s.Id)];

    /// <summary>The stages whose results the cell (<paramref name="row"/>, <paramref name="column"/>) of one of this
    /// family's tables is computed from: what <c>atlas trace</c> follows back to the data. By default the whole table's
    /// (a superset); a family names the exact stages where a cell reads fewer.</summary>
    public virtual IReadOnlyList<string> CellStages(ExperimentSpec spec, string table, string row, string column) => TableStages(spec, table);

    /// <summary>The pool of a target-centred family: every task of the spec but the target, in spec order.</summary>
    protected static IReadOnlyList<string> PoolFor(ExperimentSpec spec, string target) =>
        [.. spec.Tasks.Select(t => t.Name).Where(name => name != target)];
}

/// <summary>A family switched on by one optional section of the spec (<typeparamref name="TSection"/>): absent, it adds
/// no stage, table or figure.</summary>
public abstract class ExperimentFamily<TSection>(Func<ExperimentSpec, TSection?> section) : ExperimentFamily where TSection : class
{
    public sealed override IEnumerable<Stage> Stages(ExperimentSpec spec) => section(spec) is { } s ? Stages(spec, s) : [];

    public sealed override IReadOnlyList<string> Tables(ExperimentSpec spec) => section(spec) is { } s ? Tables(s) : [];

    public sealed override IReadOnlyList<string> CostTables(ExperimentSpec spec) => section(spec) is { } s ? CostTables(s) : [];

    public sealed override IReadOnlyList<string> Figures(ExperimentSpec spec) => section(spec) is { } s ? Figures(s) : [];

    public sealed override IReadOnlyList<ReportSection> Report(ExperimentContext context) =>
        section(context.Spec) is { } s ? Report(context, s) : [];

    /// <inheritdoc cref="ExperimentFamily.Stages(ExperimentSpec)"/>
    protected abstract IEnumerable<Stage> Stages(ExperimentSpec spec, TSection section);

    /// <inheritdoc cref="ExperimentFamily.Tables(ExperimentSpec)"/>
    protected abstract IReadOnlyList<string> Tables(TSection section);

    /// <inheritdoc cref="ExperimentFamily.CostTables(ExperimentSpec)"/>
    protected virtual IReadOnlyList<string> CostTables(TSection section) => [];

    /// <inheritdoc cref="ExperimentFamily.Figures(ExperimentSpec)"/>
    protected virtual IReadOnlyList<string> Figures(TSection section) => [];

    /// <inheritdoc cref="ExperimentFamily.Report(ExperimentContext)"/>
    protected abstract IReadOnlyList<ReportSection> Report(ExperimentContext context, TSection section);
}

/// <summary>One table of the report with the paragraph that follows it in <c>report.md</c>.</summary>
/// <param name="Name">The table's file name (<see cref="ArtifactLayout.Table"/>).</param>
/// <param name="Summary">Markdown: how to read the table, the paper's figures beside it, figure links.</param>
public sealed record ReportSection(string Name, ResultTable Table, string Summary)
{
    /// <summary>The paragraph under every cost table.</summary>
    public const string CostSummary =
        "Measured on the machine that ran the stage (see the provenance below); these figures vary from run to run and are not verified.\n";
}

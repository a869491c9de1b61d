using System.Text;

namespace Atlas.Stages.Audit;

/// <summary>What <see cref="ExperimentAudit"/> found.</summary>
/// <param name="Folder">The experiment folder audited.</param>
/// <param name="StagesInGraph">Stages of the spec's graph.</param>
/// <param name="LocksRead">Lock records read successfully.</param>
/// <param name="FilesHashed">Files whose bytes were hashed (outputs, artifacts read, source files present).</param>
/// <param name="Findings">Every finding, breaks and warnings, in stage order.</param>
public sealed record AuditReport(ArtifactFolder Folder, int StagesInGraph, int LocksRead, int FilesHashed, IReadOnlyList<AuditFinding> Findings)
{
    public int Breaks => Findings.Count(f => f.Severity == AuditSeverity.Break);

    public int Warnings => Findings.Count(f => f.Severity == AuditSeverity.Warning);

    /// <summary>True when nothing breaks the chain (warnings allowed).</summary>
    public bool Passed => Breaks == 0;

    /// <summary>One line per finding, then the summary line.</summary>
    public string Render()
    {
        var text = new StringBuilder();
        foreach (var finding in Findings) text.AppendLine(finding.ToString());
        text.AppendLine($"audit of {Folder.Location} ({Folder.ExperimentDir}): {(Passed ? "PASSED" : "FAILED")}: {StagesInGraph} stages, {LocksRead} lock records, "
                        + $"{FilesHashed} files hashed; {Breaks} break(s), {Warnings} warning(s)");
        return text.ToString();
    }
}

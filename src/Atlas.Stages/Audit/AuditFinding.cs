namespace Atlas.Stages.Audit;

/// <summary>One line of an audit: what was found, in which stage and file.</summary>
/// <param name="Severity">Whether it breaks the audit.</param>
/// <param name="Check">Which check found it.</param>
/// <param name="Stage">The stage it concerns (empty for experiment-wide findings).</param>
/// <param name="File">The file it concerns, as the lock records name it (repository-relative); empty when none.</param>
/// <param name="Message">What is wrong, for a person.</param>
public sealed record AuditFinding(AuditSeverity Severity, AuditCheck Check, string Stage, string File, string Message)
{
    /// <summary><c>BREAK   output_modified   finetune/mnist   artifacts/…/visual.safetensors: …</c></summary>
    public override string ToString() =>
        $"{(Severity == AuditSeverity.Break ? "BREAK" : "warning"),-7}  {Pipeline.Specs.SpecNames.Of(Check),-18}  {(Stage.Length > 0 ? Stage : "-"),-28}  "
        + (File.Length > 0 ? $"{File}: " : "") + Message;
}

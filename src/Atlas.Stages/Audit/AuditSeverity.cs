namespace Atlas.Stages.Audit;

/// <summary>How much an audit finding weighs.</summary>
public enum AuditSeverity
{
    /// <summary>The chain from a table back to the data is broken: a number cannot be trusted as recorded. The audit fails.</summary>
    Break,

    /// <summary>Worth a reviewer's attention, but every recorded number still follows from recorded inputs (mixed code
    /// versions, a dirty checkout, a source file absent here so not checked).</summary>
    Warning,
}
